package io.gridshare.node.chat;

/**
 * A chat template could not be parsed or rendered. The message says what failed: a syntax error
 * with its line and column, a construct this engine does not support, or the text a template passed
 * to {@code raise_exception()} (for example Mistral's "conversation roles must alternate").
 */
public class ChatTemplateException extends RuntimeException {
    public ChatTemplateException(String message) {
        super(message);
    }

    public ChatTemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
