package io.gridshare.node.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridshare.node.model.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The CPU backend reproduces llama2.c's run.c output for stories260K. run.c prints every token's
 * piece (after BOS without its leading space) and then one newline; the reference file is that
 * output, so the engine's text plus "\n" must equal it byte for byte.
 */
class GoldenCpuTest {

    @Test
    @DisplayName("stories260K, empty prompt, greedy, 256 tokens: exactly run.c's output")
    void cpuBackendReproducesTheReferenceOutput() throws Exception {
        String reference = Files.readString(TestModels.referenceGreedy256(), StandardCharsets.UTF_8);
        try (InferenceEngine engine = Engines.load(TestModels.stories260K(),
                EngineConfig.defaults(1).withBackend(EngineConfig.Backend.CPU))) {
            assertThat(engine.backend().name()).isEqualTo("cpu");
            RecordingSink sink = new RecordingSink();
            engine.submit(JobRequest.of("golden", "", 256, SamplingParams.greedy()), sink);
            JobOutcome outcome = sink.await();
            assertThat(outcome.reason()).isEqualTo(FinishReason.LENGTH);
            assertThat(outcome.generatedTokens()).isEqualTo(256);
            assertThat(outcome.promptTokens()).isEqualTo(1);
            assertThat(sink.text() + "\n").isEqualTo(reference);
            assertThat(sink.tokens).allSatisfy(t -> assertThat(t.logProbability()).isBetween(-30f, 0f));
        }
    }
}
