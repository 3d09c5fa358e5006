package io.gridshare.node.engine.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gridshare.node.engine.EngineConfig;
import io.gridshare.node.engine.Engines;
import io.gridshare.node.engine.FinishReason;
import io.gridshare.node.engine.GeneratedToken;
import io.gridshare.node.engine.InferenceEngine;
import io.gridshare.node.engine.JobOutcome;
import io.gridshare.node.engine.JobRequest;
import io.gridshare.node.engine.SamplingParams;
import io.gridshare.node.engine.TokenSink;
import io.gridshare.node.model.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The whole engine (tokenizer, sampler, slots) on the CUDA backend reproduces run.c's output for
 * stories260K, and eight concurrent jobs (batched on the device) give the tokens of eight jobs run
 * one after another.
 */
class CudaEngineGoldenTest {

    private static void needsGpu() {
        Optional<String> noGpu = CudaTestModels.noGpuReason();
        assumeTrue(noGpu.isEmpty(), () -> "CUDA engine test skipped: " + noGpu.orElse(""));
    }

    private static InferenceEngine cudaEngine(int slots) throws Exception {
        InferenceEngine engine = Engines.load(TestModels.stories260K(),
                EngineConfig.defaults(slots).withBackend(EngineConfig.Backend.CUDA));
        assertThat(engine.backend().name()).isEqualTo("cuda");
        return engine;
    }

    @Test
    @DisplayName("stories260K, empty prompt, greedy, 256 tokens through the engine on CUDA: exactly run.c's output")
    void engineOnCudaReproducesReference() throws Exception {
        needsGpu();
        String reference = Files.readString(TestModels.referenceGreedy256(), StandardCharsets.UTF_8);
        try (InferenceEngine engine = cudaEngine(1)) {
            Sink sink = new Sink();
            engine.submit(JobRequest.of("golden-cuda", "", 256, SamplingParams.greedy()), sink);
            JobOutcome outcome = sink.outcome.get(2, TimeUnit.MINUTES);
            assertThat(outcome.reason()).isEqualTo(FinishReason.LENGTH);
            assertThat(sink.text() + "\n").isEqualTo(reference);
        }
    }

    @Test
    @DisplayName("8 concurrent jobs on CUDA produce the same tokens as the same 8 jobs one after another")
    void concurrentJobsMatchSequential() throws Exception {
        needsGpu();
        int jobs = 8;
        try (InferenceEngine engine = cudaEngine(jobs)) {
            List<List<Integer>> sequential = new ArrayList<>();
            for (int j = 0; j < jobs; j++) {
                Sink sink = new Sink();
                engine.submit(request(j), sink);
                assertThat(sink.outcome.get(2, TimeUnit.MINUTES).reason()).isNotEqualTo(FinishReason.ERROR);
                sequential.add(sink.ids());
            }
            List<Sink> sinks = new ArrayList<>();
            for (int j = 0; j < jobs; j++) {
                Sink sink = new Sink();
                engine.submit(request(j), sink);
                sinks.add(sink);
            }
            for (int j = 0; j < jobs; j++) {
                assertThat(sinks.get(j).outcome.get(2, TimeUnit.MINUTES).reason()).isNotEqualTo(FinishReason.ERROR);
                assertThat(sinks.get(j).ids()).as("job %d", j).isEqualTo(sequential.get(j));
            }
        }
    }

    private static JobRequest request(int job) {
        return JobRequest.of("job-" + job, job % 2 == 0 ? "Once upon a time" : "The cat",
                64, new SamplingParams(1.0f, 0.9f, 1000L + job));
    }

    private static final class Sink implements TokenSink {
        final List<GeneratedToken> tokens = new ArrayList<>();
        final CompletableFuture<JobOutcome> outcome = new CompletableFuture<>();

        @Override
        public synchronized void onToken(GeneratedToken token) {
            tokens.add(token);
        }

        @Override
        public void onFinished(JobOutcome result) {
            outcome.complete(result);
        }

        synchronized String text() {
            StringBuilder sb = new StringBuilder();
            tokens.forEach(t -> sb.append(t.text()));
            return sb.toString();
        }

        synchronized List<Integer> ids() {
            return tokens.stream().map(GeneratedToken::tokenId).toList();
        }
    }
}
