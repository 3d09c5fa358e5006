package io.gridshare.node.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridshare.node.model.TestModels;
import io.gridshare.node.model.gguf.Llama2cToGguf;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same model served from GGUF gives run.c's golden output: the GGUF reader, the SentencePiece
 * tokenizer built from GGUF metadata and the generic forward pass agree with the llama2.c path.
 */
class GgufGoldenCpuTest {

    @TempDir
    Path tmp;

    @Test
    @DisplayName("stories260K converted to GGUF (F32), empty prompt, greedy, 256 tokens: exactly run.c's output")
    void ggufStories260KReproducesTheReferenceOutput() throws Exception {
        String reference = Files.readString(TestModels.referenceGreedy256(), StandardCharsets.UTF_8);
        Path gguf = Llama2cToGguf.convert(tmp.resolve("stories260K.gguf"));
        try (InferenceEngine engine = Engines.load(gguf, EngineConfig.defaults(1).withBackend(EngineConfig.Backend.CPU))) {
            assertThat(engine.model().architecture()).isEqualTo("llama");
            RecordingSink sink = new RecordingSink();
            engine.submit(JobRequest.of("golden", "", 256, SamplingParams.greedy()), sink);
            JobOutcome outcome = sink.await();
            assertThat(outcome.reason()).isEqualTo(FinishReason.LENGTH);
            assertThat(outcome.promptTokens()).isEqualTo(1);
            assertThat(sink.text() + "\n").isEqualTo(reference);
        }
    }
}
