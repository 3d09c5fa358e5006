package io.gridshare.node.chat;

import java.util.Objects;

/**
 * One turn of a chat conversation, as an OpenAI-style client sends it.
 *
 * @param role who spoke: usually {@code system}, {@code user} or {@code assistant}; templates decide
 *     which roles they accept
 * @param content the text of the turn
 */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }
}
