package io.gridshare.node.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gridshare.node.chat.ChatMessage;
import io.gridshare.node.model.TestModels;
import io.gridshare.node.model.gguf.Llama2cToGguf;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Chat jobs are rendered with the model's own template, and only models with one accept them. */
class ChatJobTest {

    private static final String TEMPLATE = "{{ bos_token }}{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n"
            + "{% endfor %}{% if add_generation_prompt %}assistant:{% endif %}";

    @TempDir
    Path tmp;

    private static EngineConfig cpu() {
        return EngineConfig.defaults(1).withBackend(EngineConfig.Backend.CPU).withCpuThreads(1);
    }

    private static JobRequest chat(String id, List<ChatMessage> messages) {
        return new JobRequest(id, "", List.of(), 8, SamplingParams.greedy(), messages);
    }

    @Test
    @DisplayName("a chat job runs on the rendered template: the same tokens as the rendered text as a prompt, one BOS")
    void chatUsesTheTemplate() throws Exception {
        var files = TestModels.stories260K();
        Path gguf = new Llama2cToGguf(Llama2cToGguf.ALL_F32, Llama2cToGguf.FLOAT_ENCODER)
                .toWriter(files.checkpoint(), files.tokenizer())
                .putString("tokenizer.chat_template", TEMPLATE).write(tmp.resolve("chat.gguf"));
        List<ChatMessage> messages = List.of(new ChatMessage("user", "Once upon a time"));
        try (InferenceEngine engine = Engines.load(gguf, cpu())) {
            assertThat(engine.model().hasChatTemplate()).isTrue();
            RecordingSink chat = new RecordingSink();
            engine.submit(chat("chat", messages), chat);
            JobOutcome chatOutcome = chat.await();

            // "<s>" in the rendered text is parsed as BOS, and the tokenizer adds none on top of it
            RecordingSink plain = new RecordingSink();
            engine.submit(JobRequest.of("plain", "user: Once upon a time\nassistant:", 8, SamplingParams.greedy()), plain);
            JobOutcome plainOutcome = plain.await();

            assertThat(chatOutcome.promptTokens()).isEqualTo(plainOutcome.promptTokens());
            assertThat(chat.text()).isEqualTo(plain.text());
        }
    }

    @Test
    @DisplayName("a GGUF model without a chat template refuses chat jobs saying so, and still serves prompts")
    void noTemplateNoChat() throws Exception {
        Path gguf = Llama2cToGguf.convert(tmp.resolve("plain.gguf"));
        try (InferenceEngine engine = Engines.load(gguf, cpu())) {
            assertThat(engine.model().hasChatTemplate()).isFalse();
            assertThatThrownBy(() -> engine.submit(chat("c", List.of(new ChatMessage("user", "hi"))), new RecordingSink()))
                    .isInstanceOf(JobRefusedException.class)
                    .hasMessageContaining("no chat template").hasMessageContaining("plain prompt");
            RecordingSink plain = new RecordingSink();
            engine.submit(JobRequest.of("p", "Once", 4, SamplingParams.greedy()), plain);
            assertThat(plain.await().generatedTokens()).isEqualTo(4);
        }
    }

    @Test
    @DisplayName("a template that raises an error refuses the job with the template's message")
    void templateErrorsReachTheTenant() throws Exception {
        var files = TestModels.stories260K();
        Path gguf = new Llama2cToGguf(Llama2cToGguf.ALL_F32, Llama2cToGguf.FLOAT_ENCODER)
                .toWriter(files.checkpoint(), files.tokenizer())
                .putString("tokenizer.chat_template", "{% if messages[0]['role'] != 'user' %}"
                        + "{{ raise_exception('Conversation must start with a user message') }}{% endif %}x")
                .write(tmp.resolve("strict.gguf"));
        try (InferenceEngine engine = Engines.load(gguf, cpu())) {
            assertThatThrownBy(() -> engine.submit(chat("c", List.of(new ChatMessage("assistant", "hi"))), new RecordingSink()))
                    .isInstanceOf(JobRefusedException.class)
                    .hasMessageContaining("Conversation must start with a user message");
        }
    }
}
