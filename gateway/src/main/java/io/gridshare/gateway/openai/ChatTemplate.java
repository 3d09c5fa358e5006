package io.gridshare.gateway.openai;

import io.gridshare.proto.v1.ChatMessage;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads OpenAI chat messages. {@link #messages} keeps them as turns, which the node renders with
 * the model's own chat template; {@link #render} flattens them into one prompt for the paths that
 * still send plain prompts (paid REST jobs through the tenant client). The flat format, documented
 * in docs/api.md:
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
        return render(messages(messages));
    }

    /** The turns of an OpenAI "messages" array; "developer" is passed on as "system". */
    static List<ChatMessage> messages(JsonArray messages) {
        List<ChatMessage> turns = new ArrayList<>(messages.size());
        for (JsonValue v : messages) {
            if (!(v instanceof JsonObject m)) {
                throw new IllegalArgumentException("each message must be an object with role and content");
            }
            String role = m.getString("role", "");
            switch (role) {
                case "system", "developer", "user", "assistant" -> { }
                default -> throw new IllegalArgumentException("message role must be system, developer, user or "
                        + "assistant, was '" + role + "'");
            }
            turns.add(ChatMessage.newBuilder().setRole(role.equals("developer") ? "system" : role)
                    .setContent(content(m)).build());
        }
        return turns;
    }

    /** The flat User:/Assistant: prompt of a conversation. */
    static String render(List<ChatMessage> messages) {
        StringBuilder prompt = new StringBuilder();
        for (ChatMessage m : messages) {
            switch (m.getRole()) {
                case "system" -> prompt.append(m.getContent()).append("\n\n");
                case "user" -> prompt.append("User: ").append(m.getContent()).append('\n');
                default -> prompt.append("Assistant: ").append(m.getContent()).append('\n');
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
