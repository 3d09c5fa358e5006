package io.gridshare.gateway.openai;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * Turns OpenAI chat messages into one prompt for models without a chat format of their own (the tiny
 * llama2.c story models). The format, documented in docs/api.md:
 *
 * <pre>
 * {system content}\n\n          (only when a system message is present)
 * User: {content}\n
 * Assistant: {content}\n
 * ...
 * Assistant:
 * </pre>
 */
final class ChatTemplate {

    private ChatTemplate() {}

    static String render(JsonArray messages) {
        StringBuilder prompt = new StringBuilder();
        for (JsonValue v : messages) {
            if (!(v instanceof JsonObject m)) {
                throw new IllegalArgumentException("each message must be an object with role and content");
            }
            String role = m.getString("role", "");
            String content = content(m);
            switch (role) {
                case "system", "developer" -> prompt.append(content).append("\n\n");
                case "user" -> prompt.append("User: ").append(content).append('\n');
                case "assistant" -> prompt.append("Assistant: ").append(content).append('\n');
                default -> throw new IllegalArgumentException("message role must be system, developer, user or "
                        + "assistant, was '" + role + "'");
            }
        }
        return prompt.append("Assistant:").toString();
    }

    // content is a string, or an array of parts of which the text parts count
    private static String content(JsonObject m) {
        JsonValue c = m.get("content");
        if (c == null || c.getValueType() == JsonValue.ValueType.NULL) {
            return "";
        }
        if (c.getValueType() == JsonValue.ValueType.STRING) {
            return m.getString("content");
        }
        if (c instanceof JsonArray parts) {
            StringBuilder text = new StringBuilder();
            for (JsonValue p : parts) {
                if (p instanceof JsonObject part && "text".equals(part.getString("type", ""))) {
                    text.append(part.getString("text", ""));
                }
            }
            return text.toString();
        }
        throw new IllegalArgumentException("message content must be a string or an array of text parts");
    }
}
