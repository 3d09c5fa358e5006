package io.gridshare.node.chat;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A model's chat template (GGUF key {@code tokenizer.chat_template}), rendered the way
 * transformers' {@code apply_chat_template} renders it with Python's jinja2: {@code trim_blocks}
 * and {@code lstrip_blocks} on, {@code raise_exception()}, {@code strftime_now()}, {@code tojson}
 * without ASCII escaping, {@code tools} and {@code documents} set to none.
 *
 * <p>The engine is a Jinja2 subset written for chat templates (statements if/for/set/break/continue,
 * the expressions, filters, tests and Python string/dict methods these templates use). Parsing
 * happens once; a parsed template is immutable and safe to render from many threads.
 */
public final class ChatTemplate {
    private final String source;
    private final List<Ast.Node> nodes;
    private final Clock clock;

    private ChatTemplate(String source, List<Ast.Node> nodes, Clock clock) {
        this.source = source;
        this.nodes = nodes;
        this.clock = clock;
    }

    /**
     * Parses a template; {@code strftime_now()} reads the system clock.
     *
     * @throws ChatTemplateException on a syntax error, naming its line and column
     */
    public static ChatTemplate parse(String jinjaSource) {
        return parse(jinjaSource, Clock.systemDefaultZone());
    }

    /** Parses a template whose {@code strftime_now()} reads {@code clock} (tests pin the date). */
    public static ChatTemplate parse(String jinjaSource, Clock clock) {
        Objects.requireNonNull(jinjaSource, "jinjaSource");
        String normalized = Lexer.normalize(jinjaSource);
        return new ChatTemplate(normalized, List.copyOf(Parser.parse(normalized)), Objects.requireNonNull(clock, "clock"));
    }

    /**
     * Renders a conversation into the prompt text the model expects.
     *
     * @param messages the conversation, oldest first
     * @param addGenerationPrompt whether to end with the opening of an assistant turn
     * @param bosToken the text of the model's BOS token (the template decides whether to emit it)
     * @param eosToken the text of the model's EOS token
     * @throws ChatTemplateException when the template fails, e.g. a {@code raise_exception()} whose
     *     message is passed through unchanged
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, String bosToken, String eosToken) {
        List<Object> conversation = new ArrayList<>();
        for (ChatMessage m : messages) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("role", m.role());
            entry.put("content", m.content());
            conversation.add(entry);
        }
        Map<String, Object> context = new HashMap<>(Builtins.globals(clock));
        context.put("messages", conversation);
        context.put("add_generation_prompt", addGenerationPrompt);
        context.put("bos_token", bosToken == null ? "" : bosToken);
        context.put("eos_token", eosToken == null ? "" : eosToken);
        context.put("tools", null);
        context.put("documents", null);
        return new Interpreter(source, context).render(nodes);
    }
}
