package io.gridshare.node.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridshare.node.model.TestModels;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ConcurrencyTest {

    private static JobRequest request(int i) {
        String[] prompts = {"", "Once upon a time", "Lily saw a cat", "The sun", "Tom and Sue", "A big dog", "One day", "She"};
        SamplingParams sampling = i % 2 == 0 ? SamplingParams.greedy() : new SamplingParams(0.8f + i * 0.05f, i == 3 ? 0.9f : 1f, 1000L + i);
        return JobRequest.of("job-" + i, prompts[i], 40 + 5 * i, sampling);
    }

    @Test
    @DisplayName("8 jobs at once on one engine produce the same tokens as the same 8 jobs one after another")
    void concurrentJobsMatchSequentialJobs() throws Exception {
        try (InferenceEngine engine = Engines.load(TestModels.stories260K(),
                EngineConfig.defaults(8).withBackend(EngineConfig.Backend.CPU))) {
            List<List<GeneratedToken>> sequential = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                RecordingSink sink = new RecordingSink();
                engine.submit(request(i), sink);
                sink.await();
                sequential.add(sink.tokens);
            }

            // every job waits at its first token until all 8 have one: they provably overlap
            CyclicBarrier allRunning = new CyclicBarrier(8);
            List<RecordingSink> sinks = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                RecordingSink sink = new RecordingSink(t -> {
                    if (t.index() == 0) {
                        try {
                            allRunning.await(1, TimeUnit.MINUTES);
                        } catch (Exception e) {
                            throw new IllegalStateException("jobs did not run concurrently", e);
                        }
                    }
                });
                engine.submit(request(i), sink);
                sinks.add(sink);
            }
            assertThat(engine.slots().free()).isLessThan(8);
            for (int i = 0; i < 8; i++) {
                JobOutcome outcome = sinks.get(i).await();
                assertThat(outcome.error()).isNull();
                assertThat(sinks.get(i).tokens).as("job %d", i).isEqualTo(sequential.get(i));
            }
            assertThat(engine.slots().free()).isEqualTo(8);
        }
    }
}
