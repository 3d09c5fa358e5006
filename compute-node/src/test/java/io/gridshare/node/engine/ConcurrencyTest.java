package io.gridshare.node.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridshare.node.model.TestModels;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Batching must not change a job's tokens: each job gets exactly the tokens it gets alone, whatever
 * shares its steps (greedy and seeded sampling alike).
 */
class ConcurrencyTest {

    private static final int JOBS = 16;

    private static JobRequest request(int i) {
        String[] prompts = {"", "Once upon a time", "Lily saw a cat", "The sun", "Tom and Sue", "A big dog", "One day", "She"};
        SamplingParams sampling = i % 2 == 0 ? SamplingParams.greedy() : new SamplingParams(0.8f + i * 0.02f, i % 4 == 3 ? 0.9f : 1f, 1000L + i);
        return JobRequest.of("job-" + i, prompts[i % prompts.length], 40 + 3 * i, sampling);
    }

    @Test
    @DisplayName("16 jobs batched together produce exactly the tokens each produces alone, and really share steps")
    void batchedJobsMatchJobsAlone() throws Exception {
        try (InferenceEngine engine = Engines.load(TestModels.stories260K(),
                EngineConfig.defaults(JOBS).withBackend(EngineConfig.Backend.CPU))) {
            List<List<GeneratedToken>> alone = new ArrayList<>();
            for (int i = 0; i < JOBS; i++) {
                RecordingSink sink = new RecordingSink();
                engine.submit(request(i), sink);
                sink.await();
                alone.add(sink.tokens);
            }

            // a global arrival counter shows the jobs' tokens interleave: every job has its first
            // token before any job has its last
            AtomicLong clock = new AtomicLong();
            long[] firstAt = new long[JOBS];
            long[] lastAt = new long[JOBS];
            List<RecordingSink> sinks = new ArrayList<>();
            for (int i = 0; i < JOBS; i++) {
                int job = i;
                int last = request(i).maxTokens() - 1;
                RecordingSink sink = new RecordingSink(t -> {
                    long now = clock.incrementAndGet();
                    if (t.index() == 0) {
                        firstAt[job] = now;
                    }
                    if (t.index() == last) {
                        lastAt[job] = now;
                    }
                });
                sinks.add(sink);
            }
            long stepsBefore = ((LlamaEngine) engine).stats().steps();
            for (int i = 0; i < JOBS; i++) {
                engine.submit(request(i), sinks.get(i));
            }
            for (int i = 0; i < JOBS; i++) {
                JobOutcome outcome = sinks.get(i).await();
                assertThat(outcome.error()).isNull();
                assertThat(sinks.get(i).tokens).as("job %d", i).isEqualTo(alone.get(i));
            }
            long latestFirst = java.util.Arrays.stream(firstAt).max().orElseThrow();
            long earliestLast = java.util.Arrays.stream(lastAt).filter(v -> v > 0).min().orElseThrow();
            assertThat(latestFirst).as("every job streams before any job ends").isLessThan(earliestLast);
            long tokens = sinks.stream().mapToLong(s -> s.tokens.size()).sum();
            long steps = ((LlamaEngine) engine).stats().steps() - stepsBefore;
            assertThat(steps).as("%d tokens in %d steps", tokens, steps).isLessThan(tokens / 4);
            assertThat(engine.slots().free()).isEqualTo(JOBS);
            assertThat(engine.kvCache().usedBlocks()).as("every job's blocks are back").isZero();
        }
    }
}
