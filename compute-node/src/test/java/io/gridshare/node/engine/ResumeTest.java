package io.gridshare.node.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridshare.node.model.TestModels;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A job stopped after k tokens and resumed on a fresh engine from prompt + those k tokens yields
 * the same tokens, the same text and the same log-probabilities as an uninterrupted run.
 */
class ResumeTest {

    private static final String PROMPT = "Once upon a time";

    private static EngineConfig cpu() {
        return EngineConfig.defaults(1).withBackend(EngineConfig.Backend.CPU);
    }

    @ParameterizedTest(name = "temperature {0}, top-p {1}, seed {2}, stopped after {3}")
    @CsvSource({"0, 1, 0, 17", "1, 1, 1234, 23", "1, 0.9, 99, 5"})
    void resumedJobContinuesExactlyAsTheUninterruptedOne(float temperature, float topP, long seed, int k) throws Exception {
        SamplingParams sampling = new SamplingParams(temperature, topP, seed);
        int maxTokens = 80;
        RecordingSink full = new RecordingSink();
        try (InferenceEngine engine = Engines.load(TestModels.stories260K(), cpu())) {
            engine.submit(JobRequest.of("full", PROMPT, maxTokens, sampling), full);
            full.await();
        }
        assertThat(full.tokens.size()).as("the uninterrupted run must be longer than the stop point").isGreaterThan(k + 5);

        CompletableFuture<Job> submitted = new CompletableFuture<>();
        RecordingSink first = new RecordingSink(t -> {
            if (t.index() == k - 1) {
                submitted.join().cancel();
            }
        });
        try (InferenceEngine engine = Engines.load(TestModels.stories260K(), cpu())) {
            submitted.complete(engine.submit(JobRequest.of("first", PROMPT, maxTokens, sampling), first));
            assertThat(first.await().reason()).isEqualTo(FinishReason.CANCELLED);
        }
        assertThat(first.tokens).hasSize(k);

        List<Integer> emitted = first.ids();
        RecordingSink resumed = new RecordingSink();
        try (InferenceEngine fresh = Engines.load(TestModels.stories260K(), cpu())) {
            fresh.submit(new JobRequest("resumed", PROMPT, emitted, maxTokens, sampling), resumed);
            JobOutcome outcome = resumed.await();
            assertThat(outcome.generatedTokens()).isEqualTo(full.tokens.size());
        }
        assertThat(resumed.tokens.getFirst().index()).isEqualTo(k);
        assertThat(first.tokens).isEqualTo(full.tokens.subList(0, k));
        assertThat(resumed.tokens).isEqualTo(full.tokens.subList(k, full.tokens.size()));
        assertThat(first.text() + resumed.text()).isEqualTo(full.text());
    }
}
