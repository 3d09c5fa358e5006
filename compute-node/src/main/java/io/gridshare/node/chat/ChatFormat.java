package io.gridshare.node.chat;

import java.util.List;

/**
 * How a model turns a conversation into the text it was trained to continue: its own Jinja chat
 * template ({@link #template}), the flat User:/Assistant: format of the llama2.c story models
 * ({@link #plain}), or nothing, for a GGUF model that carries no template ({@link #none}).
 */
public interface ChatFormat {

    /**
     * The prompt text for {@code messages}, ending where the assistant's reply begins.
     *
     * @throws ChatTemplateException when the conversation cannot be rendered (the template raised
     *     an error, or the model has no chat format); the message says why and what to do
     */
    String render(List<ChatMessage> messages);

    /** The model's template, rendered with {@code add_generation_prompt} and its BOS/EOS texts. */
    static ChatFormat template(ChatTemplate template, String bosToken, String eosToken) {
        return messages -> template.render(messages, true, bosToken, eosToken);
    }

    /** The flat format documented in docs/api.md. */
    static ChatFormat plain() {
        return PlainChatFormat::render;
    }

    /** No chat format: every chat request is refused with {@code reason}; completions still work. */
    static ChatFormat none(String reason) {
        return messages -> {
            throw new ChatTemplateException(reason);
        };
    }
}
