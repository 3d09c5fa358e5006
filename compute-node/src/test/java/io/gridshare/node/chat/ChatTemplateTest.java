package io.gridshare.node.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Real chat templates rendered against outputs produced by Python's jinja2 set up as transformers
 * sets it up (src/test/python/render_chat_fixtures.py generates the *.expected.txt files).
 */
class ChatTemplateTest {
    private static final Clock FIXED = Clock.fixed(LocalDateTime.of(2024, 12, 17, 10, 30).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);
    private static final List<ChatMessage> TURNS = List.of(
            new ChatMessage("user", "Hello!"),
            new ChatMessage("assistant", "  Hi there, how can I help?  "),
            new ChatMessage("user", "Tell me a joke."));
    private static final Map<String, String[]> TOKENS = Map.of(
            "llama-3.2-instruct", new String[] {"<|begin_of_text|>", "<|eot_id|>"},
            "qwen2.5-instruct", new String[] {"", "<|im_end|>"},
            "mistral-v0.3-instruct", new String[] {"<s>", "</s>"},
            "smollm2-instruct", new String[] {"<|im_start|>", "<|im_end|>"});

    @ParameterizedTest(name = "{0} renders a {1} conversation exactly as jinja2 does")
    @CsvSource({
        "llama-3.2-instruct, with-system", "llama-3.2-instruct, no-system",
        "qwen2.5-instruct, with-system", "qwen2.5-instruct, no-system",
        "mistral-v0.3-instruct, with-system", "mistral-v0.3-instruct, no-system",
        "smollm2-instruct, with-system", "smollm2-instruct, no-system"})
    void realTemplatesRenderMultiTurnConversationsExactlyAsJinja2(String model, String conversation) throws IOException {
        List<ChatMessage> messages = new ArrayList<>();
        if (conversation.equals("with-system")) messages.add(new ChatMessage("system", "You are a helpful assistant."));
        messages.addAll(TURNS);
        ChatTemplate template = ChatTemplate.parse(resource(model + ".jinja"), FIXED);

        String rendered = template.render(messages, true, TOKENS.get(model)[0], TOKENS.get(model)[1]);

        assertThat(rendered).isEqualTo(resource(model + "." + conversation + ".expected.txt"));
    }

    @Test
    void qwenAndSmolLmInsertTheirDefaultSystemPromptWhenTheConversationHasNone() throws IOException {
        String qwen = ChatTemplate.parse(resource("qwen2.5-instruct.jinja")).render(TURNS, true, "", "<|im_end|>");
        String smol = ChatTemplate.parse(resource("smollm2-instruct.jinja")).render(TURNS, true, "", "<|im_end|>");

        assertThat(qwen).startsWith("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n");
        assertThat(smol).startsWith("<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n");
    }

    @Test
    void llamaStampsTodaysDateFromTheClockIntoItsSystemHeader() throws IOException {
        String rendered = ChatTemplate.parse(resource("llama-3.2-instruct.jinja"), FIXED).render(TURNS, false, "<|begin_of_text|>", "");

        assertThat(rendered).contains("Cutting Knowledge Date: December 2023\nToday Date: 17 Dec 2024\n\n")
                .doesNotEndWith("<|start_header_id|>assistant<|end_header_id|>\n\n");
    }

    @Test
    void mistralRejectsAConversationWhoseRolesDoNotAlternateWithItsOwnMessage() throws IOException {
        ChatTemplate mistral = ChatTemplate.parse(resource("mistral-v0.3-instruct.jinja"));
        List<ChatMessage> twoUsers = List.of(new ChatMessage("user", "a"), new ChatMessage("user", "b"));

        assertThatThrownBy(() -> mistral.render(twoUsers, true, "<s>", "</s>"))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessage("After the optional system message, conversation roles must alternate user/assistant/user/assistant/...");
    }

    @Test
    void anUnclosedBlockIsASyntaxErrorNamingWhatIsMissing() {
        assertThatThrownBy(() -> ChatTemplate.parse("{% for m in messages %}\n{{ m.content }}"))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageContaining("syntax error at line 2")
                .hasMessageContaining("missing '{% else %}' or '{% endfor %}'");
    }

    @Test
    void aBrokenExpressionIsASyntaxErrorWithLineAndColumn() {
        assertThatThrownBy(() -> ChatTemplate.parse("Hello\n{{ 'a' + }}"))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessage("chat template syntax error at line 2, column 10: expected an expression but found the end of the tag '}}'");
    }

    @Test
    void anUnknownTagIsReportedRatherThanIgnored() {
        assertThatThrownBy(() -> ChatTemplate.parse("{% macro x() %}{% endmacro %}"))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageContaining("line 1, column 4: unsupported tag '{% macro %}'");
    }

    @Test
    void aRuntimeFailureNamesWhereInTheTemplateItHappened() {
        ChatTemplate template = ChatTemplate.parse("{{ messages[0].content + 1 }}");

        assertThatThrownBy(() -> template.render(TURNS, false, "", ""))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessage("chat template error at line 1, column 24: unsupported operand types for +: 'str' and 'int'");
    }

    @Test
    void pythonStyleHelpersBehaveAsInJinja2() {
        String source = "{%- set ns = namespace(n=0) -%}{%- for m in messages[::-1] if m.role == 'user' -%}"
                + "{%- set ns.n = ns.n + 1 -%}{{ m.content.strip().startswith('Tell') }},{{ loop.last }};"
                + "{%- endfor -%}{{ ns.n }}|{{ {'a': [1, 'x', none]} | tojson }}|{{ messages | selectattr('role', 'equalto', 'assistant') | list | length }}"
                + "|{{ ' x '|trim }}|{{ 'a,b'.split(',') }}|{{ 7 // 2 }}{{ -7 % 3 }}|{{ true }}";

        String rendered = ChatTemplate.parse(source).render(TURNS, false, "", "");

        assertThat(rendered).isEqualTo("True,False;False,True;2|{\"a\": [1, \"x\", null]}|1|x|['a', 'b']|32|True");
    }

    @Test
    void aModelWithoutATemplateGetsTheGatewaysFlatUserAssistantFormat() {
        List<ChatMessage> messages = new ArrayList<>(List.of(new ChatMessage("system", "Be brief.")));
        messages.addAll(TURNS);

        assertThat(PlainChatFormat.render(messages)).isEqualTo(
                "Be brief.\n\nUser: Hello!\nAssistant:   Hi there, how can I help?  \nUser: Tell me a joke.\nAssistant:");
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = ChatTemplateTest.class.getResourceAsStream("/chat-templates/" + name)) {
            if (in == null) throw new IOException("missing test resource /chat-templates/" + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
