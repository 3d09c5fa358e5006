package io.gridshare.node.engine;

import io.gridshare.node.model.Llama2cModel;
import io.gridshare.node.model.TransformerModel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gridshare.node.engine.JobRefusedException.Reason;
import io.gridshare.node.engine.cpu.CpuBackend;
import io.gridshare.node.model.LlamaCheckpoint;
import io.gridshare.node.model.LlamaConfig;
import io.gridshare.node.model.ModelFiles;
import io.gridshare.node.model.RandomModelFixture;
import io.gridshare.node.model.Sha256;
import io.gridshare.node.model.TestModels;
import io.gridshare.node.model.Tokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Job life cycle, refusals and failures of the engine on the random fixture model and stories260K. */
class EngineTest {

    @TempDir
    Path tmp;

    private ModelFiles randomModel() throws Exception {
        Path ck = RandomModelFixture.writeCheckpoint(tmp.resolve("random.bin"), RandomModelFixture.smallConfig(), 11);
        Path tok = RandomModelFixture.writeTokenizer(tmp.resolve("tok.bin"));
        return ModelFiles.of(ck, tok);
    }

    private static EngineConfig cpu(int slots) {
        return EngineConfig.defaults(slots).withBackend(EngineConfig.Backend.CPU);
    }

    /** A backend that delegates to the CPU and then, from one forward call on, steers or fails. */
    private static final class ScriptedBackend implements ForwardBackend {
        private final ForwardBackend real;
        private final int from;
        private final Integer forcedToken;
        private final AtomicInteger calls = new AtomicInteger();

        ScriptedBackend(ForwardBackend real, int from, Integer forcedToken) {
            this.real = real;
            this.from = from;
            this.forcedToken = forcedToken;
        }

        @Override public BackendInfo info() { return real.info(); }
        @Override public LlamaConfig config() { return real.config(); }
        @Override public long bytesPerSlot() { return real.bytesPerSlot(); }
        @Override public long freeSlotMemoryBytes() { return real.freeSlotMemoryBytes(); }
        @Override public BackendSlot allocateSlot() throws SlotAllocationException { return real.allocateSlot(); }
        @Override public KvCacheStatus kvCache() { return real.kvCache(); }
        @Override public void close() { real.close(); }

        @Override
        public void forward(BackendSlot slot, int token, int pos, float[] logits) {
            real.forward(slot, token, pos, logits);
            if (calls.incrementAndGet() >= from) {
                if (forcedToken == null) {
                    throw new IllegalStateException("device lost");
                }
                logits[forcedToken] = 1e9f;
            }
        }
    }

    private InferenceEngine scripted(int from, Integer forcedToken) throws Exception {
        ModelFiles files = randomModel();
        LlamaCheckpoint ck = LlamaCheckpoint.open(files.checkpoint());
        Tokenizer tok = Tokenizer.load(files.tokenizer(), ck.config().vocabSize());
        LlamaConfig c = ck.config();
        ModelDescriptor d = new ModelDescriptor("random", "h", "c", "t", c.dim(), c.hiddenDim(), c.layers(), c.heads(),
                c.kvHeads(), c.vocabSize(), c.seqLen());
        return new LlamaEngine(d, new Llama2cModel(ck), new io.gridshare.node.tokenizer.Llama2cTextTokenizer(tok), new ScriptedBackend(new CpuBackend(new Llama2cModel(ck), cpu(2), "test"), from, forcedToken), cpu(2));
    }

    @Test
    void describesTheModelByTheHashesOfItsFiles() throws Exception {
        try (InferenceEngine engine = Engines.load(TestModels.stories260K(), cpu(2))) {
            ModelDescriptor m = engine.model();
            assertThat(m.name()).isEqualTo("stories260K");
            assertThat(m.checkpointSha256()).isEqualTo(ModelFiles.STORIES260K_SHA256);
            assertThat(m.tokenizerSha256()).isEqualTo(ModelFiles.TOK512_SHA256);
            assertThat(m.modelHash()).isEqualTo(Sha256.of(ModelFiles.STORIES260K_SHA256 + ":" + ModelFiles.TOK512_SHA256));
            assertThat(m.contextLength()).isEqualTo(512);
            assertThat(engine.backend().name()).isEqualTo("cpu");
        }
    }

    @Test
    @DisplayName("a slot's memory is known up front: at least stories260K's KV cache of 2 x 5 x 512 x 32 floats")
    void slotMemoryIsComputedUpFront() throws Exception {
        try (InferenceEngine engine = Engines.load(TestModels.stories260K(), cpu(3))) {
            SlotStatus s = engine.slots();
            assertThat(s.total()).isEqualTo(3);
            assertThat(s.free()).isEqualTo(3);
            assertThat(s.bytesPerSlot()).isGreaterThanOrEqualTo(2L * 5 * 512 * 32 * 4).isLessThan(1L << 20);
        }
    }

    @Test
    void promptPlusMaxTokensBeyondTheContextIsRefused() throws Exception {
        try (InferenceEngine engine = Engines.load(TestModels.stories260K(), cpu(1))) {
            assertThatThrownBy(() -> engine.submit(JobRequest.of("long", "Once upon a time", 508, SamplingParams.greedy()),
                    new RecordingSink()))
                    .isInstanceOfSatisfying(JobRefusedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.CONTEXT_TOO_LONG))
                    .hasMessageContaining("context length 512")
                    .hasMessageContaining("at most 507");
        }
    }

    @Test
    void invalidSamplingParametersAndTokensAreRefused() throws Exception {
        try (InferenceEngine engine = Engines.load(randomModel(), cpu(1))) {
            List<JobRequest> bad = List.of(
                    JobRequest.of("t", "", 5, new SamplingParams(-1f, 1f, 0)),
                    JobRequest.of("t", "", 5, new SamplingParams(Float.NaN, 1f, 0)),
                    JobRequest.of("t", "", 5, new SamplingParams(1f, 1.5f, 0)),
                    JobRequest.of("t", "", 0, SamplingParams.greedy()),
                    new JobRequest("t", "", List.of(99_999), 5, SamplingParams.greedy()),
                    new JobRequest("t", "", List.of(5, 6, 7), 2, SamplingParams.greedy()));
            for (JobRequest r : bad) {
                assertThatThrownBy(() -> engine.submit(r, new RecordingSink()))
                        .as(r.toString())
                        .isInstanceOfSatisfying(JobRefusedException.class,
                                e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_PARAMETERS));
            }
            assertThat(engine.slots().free()).isEqualTo(1);
        }
    }

    @Test
    void jobBeyondTheFreeSlotsWaitsAndStartsWhenOneEnds() throws Exception {
        try (InferenceEngine engine = Engines.load(randomModel(), cpu(1))) {
            CountDownLatch release = new CountDownLatch(1);
            RecordingSink blocking = new RecordingSink(t -> {
                try {
                    release.await(1, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Job first = engine.submit(JobRequest.of("a", "hello", 3, SamplingParams.greedy()), blocking);
            assertThat(engine.slots().free()).isZero();
            RecordingSink next = new RecordingSink();
            Job second = engine.submit(JobRequest.of("b", "", 3, SamplingParams.greedy()), next);
            assertThat(engine.queue().queued()).isEqualTo(1);
            assertThat(second.completion()).isNotDone();
            release.countDown();
            first.completion().get(1, TimeUnit.MINUTES);
            assertThat(next.await().reason()).isEqualTo(FinishReason.LENGTH);
            assertThat(engine.queue().queued()).isZero();
            assertThat(engine.queue().admitted()).isEqualTo(2);
        }
    }

    @Test
    @DisplayName("a node whose heap leaves no room for a KV cache refuses jobs with OUT_OF_MEMORY, not an OutOfMemoryError")
    void slotThatDoesNotFitIsRefused() throws Exception {
        try (InferenceEngine engine = Engines.load(randomModel(), cpu(1).withMemoryReserveBytes(Long.MAX_VALUE / 2))) {
            assertThat(engine.kvCache().totalBlocks()).isZero();
            assertThat(engine.slots().free()).isZero();
            assertThatThrownBy(() -> engine.submit(JobRequest.of("big", "", 3, SamplingParams.greedy()), new RecordingSink()))
                    .isInstanceOfSatisfying(JobRefusedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.OUT_OF_MEMORY))
                    .hasMessageContaining("0 blocks");
        }
    }

    @Test
    void cancelStopsTheJobBeforeItsNextToken() throws Exception {
        try (InferenceEngine engine = Engines.load(randomModel(), cpu(1))) {
            java.util.concurrent.CompletableFuture<Job> job = new java.util.concurrent.CompletableFuture<>();
            RecordingSink sink = new RecordingSink(t -> {
                if (t.index() == 2) {
                    job.join().cancel();
                }
            });
            job.complete(engine.submit(JobRequest.of("c", "hello", 50, new SamplingParams(1f, 1f, 3)), sink));
            JobOutcome outcome = sink.await();
            assertThat(outcome.reason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(sink.tokens).hasSize(3);
            assertThat(outcome.generatedTokens()).isEqualTo(3);
            assertThat(job.join().completion().get()).isEqualTo(outcome);
            assertThat(engine.slots().free()).isEqualTo(1);
        }
    }

    @Test
    void endOfSequenceStopsTheJobWithoutEmittingIt() throws Exception {
        // prompt "hello" is BOS + one token: 2 prompt forwards, then 3 sampled tokens before EOS is forced
        try (InferenceEngine engine = scripted(5, Tokenizer.EOS)) {
            RecordingSink sink = new RecordingSink();
            engine.submit(JobRequest.of("eos", "hello", 20, SamplingParams.greedy()), sink);
            JobOutcome outcome = sink.await();
            assertThat(outcome.reason()).isEqualTo(FinishReason.STOP);
            assertThat(sink.tokens).hasSize(3);
            assertThat(sink.ids()).doesNotContain(Tokenizer.EOS);
        }
    }

    @Test
    void backendFailureEndsOnlyThatJobWithTheError() throws Exception {
        try (InferenceEngine engine = scripted(4, null)) {
            RecordingSink sink = new RecordingSink();
            engine.submit(JobRequest.of("fail", "hello", 20, SamplingParams.greedy()), sink);
            JobOutcome outcome = sink.await();
            assertThat(outcome.reason()).isEqualTo(FinishReason.ERROR);
            assertThat(outcome.error()).hasMessage("device lost");
            assertThat(engine.slots().free()).isEqualTo(2);
        }
    }

    @Test
    void jobWhoseEmittedTokensReachMaxTokensEndsAtOnce() throws Exception {
        try (InferenceEngine engine = Engines.load(randomModel(), cpu(1))) {
            RecordingSink sink = new RecordingSink();
            engine.submit(new JobRequest("done", "hello", List.of(300, 301), 2, SamplingParams.greedy()), sink);
            JobOutcome outcome = sink.await();
            assertThat(outcome.reason()).isEqualTo(FinishReason.LENGTH);
            assertThat(outcome.generatedTokens()).isEqualTo(2);
            assertThat(sink.tokens).isEmpty();
        }
    }

    @Test
    void closedEngineRefusesJobs() throws Exception {
        InferenceEngine engine = Engines.load(randomModel(), cpu(1));
        engine.close();
        assertThatThrownBy(() -> engine.submit(JobRequest.of("late", "", 3, SamplingParams.greedy()), new RecordingSink()))
                .isInstanceOfSatisfying(JobRefusedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.CLOSED));
    }

    @Test
    void loadingRefusesATokenizerOfAnotherVocabularySize() throws Exception {
        Path ck = RandomModelFixture.writeCheckpoint(tmp.resolve("m.bin"), RandomModelFixture.smallConfig(), 1);
        Path tok512 = TestModels.stories260K().tokenizer();
        assertThatThrownBy(() -> Engines.load(ck, tok512, cpu(1)))
                .isInstanceOf(io.gridshare.node.model.ModelFormatException.class)
                .hasMessageContaining(tok512.toString())
                .hasMessageContaining("vocabulary mismatch");
    }

    @Test
    void loadingRefusesFilesWhoseSha256DiffersFromTheExpected() throws Exception {
        ModelFiles real = TestModels.stories260K();
        ModelFiles wrong = new ModelFiles("x", real.checkpoint(), real.tokenizer(), null, "ff".repeat(32));
        assertThatThrownBy(() -> Engines.load(wrong, cpu(1)))
                .isInstanceOf(io.gridshare.node.model.ModelFormatException.class)
                .hasMessageContaining(real.tokenizer().toString())
                .hasMessageContaining("sha256 mismatch");
    }
}
