package io.gridshare.node.chat;

import java.util.List;

/**
 * The conversation format for models without {@code tokenizer.chat_template} (the llama2.c story
 * models), the same flat format the gateway documents in docs/api.md: system turns as paragraphs,
 * then {@code User: ...} and {@code Assistant: ...} lines, ending with {@code Assistant:}.
 */
public final class PlainChatFormat {
    private PlainChatFormat() {
    }

    public static String render(List<ChatMessage> messages) {
        StringBuilder prompt = new StringBuilder();
        for (ChatMessage m : messages) {
            switch (m.role()) {
                case "system", "developer" -> prompt.append(m.content()).append("\n\n");
                case "user" -> prompt.append("User: ").append(m.content()).append('\n');
                default -> prompt.append("Assistant: ").append(m.content()).append('\n');
            }
        }
        return prompt.append("Assistant:").toString();
    }
}
