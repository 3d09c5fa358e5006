package io.gridshare.node.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gridshare.node.engine.JobRefusedException.Reason;
import io.gridshare.node.model.TestModels;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Admission by KV blocks: a job starts when its worst case fits beside the running jobs' worst
 * cases, waits in a bounded queue when it does not fit yet, and is refused when it never can.
 */
class PagedAdmissionTest {

    /** stories260K: 512 positions = 32 blocks at the whole context. */
    private static EngineConfig cpu(int slots, int blocks) throws Exception {
        EngineConfig base = EngineConfig.defaults(slots).withBackend(EngineConfig.Backend.CPU).withCpuThreads(1);
        return blocks == 0 ? base : base.withKvCacheBytes(blocks * blockBytes());
    }

    private static long blockBytes() throws Exception {
        try (InferenceEngine probe = Engines.load(TestModels.stories260K(),
                EngineConfig.defaults(1).withBackend(EngineConfig.Backend.CPU))) {
            return probe.kvCache().bytesPerBlock();
        }
    }

    /** A sink that holds the engine on its first token until released. */
    private static RecordingSink holding(CountDownLatch entered, CountDownLatch release) {
        return new RecordingSink(t -> {
            if (t.index() == 0) {
                entered.countDown();
                try {
                    release.await(1, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
    }

    @Test
    @DisplayName("a job whose prompt and maxTokens exceed the whole KV cache is refused at once, naming the sizes")
    void jobLargerThanTheWholeCacheIsRefusedWithTheSizes() throws Exception {
        try (InferenceEngine engine = Engines.load(TestModels.stories260K(), cpu(2, 4))) {
            assertThat(engine.kvCache().totalBlocks()).isEqualTo(4);
            assertThatThrownBy(() -> engine.submit(JobRequest.of("long", "Once", 100, SamplingParams.greedy()), new RecordingSink()))
                    .isInstanceOfSatisfying(JobRefusedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.CONTEXT_TOO_LONG))
                    .hasMessageContaining("plus maxTokens 100 needs")
                    .hasMessageContaining("= 7 KV blocks of 16")
                    .hasMessageContaining("holds 4 blocks (64 positions)");
            assertThat(engine.queue().queued()).isZero();
        }
    }

    @Test
    @DisplayName("jobs beyond the queue bound are refused while queued ones start, in order, as blocks free up")
    void floodBeyondTheQueueIsRefusedAndQueuedJobsStartWhenBlocksFree() throws Exception {
        try (InferenceEngine engine = Engines.load(TestModels.stories260K(), cpu(4, 10).withMaxQueuedJobs(2))) {
            CountDownLatch entered = new CountDownLatch(1), release = new CountDownLatch(1);
            AtomicLong clock = new AtomicLong();
            AtomicLong firstEnded = new AtomicLong(), secondStarted = new AtomicLong(), thirdStarted = new AtomicLong();
            JobRequest request = JobRequest.of("x", "Once upon a time", 100, SamplingParams.greedy()); // 7 blocks
            Job first = engine.submit(request, holding(entered, release));
            first.completion().thenRun(() -> firstEnded.set(clock.incrementAndGet()));
            assertThat(entered.await(1, TimeUnit.MINUTES)).isTrue();
            RecordingSink second = new RecordingSink(t -> secondStarted.compareAndSet(0, clock.incrementAndGet()));
            RecordingSink third = new RecordingSink(t -> thirdStarted.compareAndSet(0, clock.incrementAndGet()));
            engine.submit(request, second);
            engine.submit(request, third);
            assertThat(engine.queue().queued()).isEqualTo(2);
            assertThat(engine.slots().free()).isZero();
            assertThatThrownBy(() -> engine.submit(request, new RecordingSink()))
                    .isInstanceOfSatisfying(JobRefusedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NO_FREE_SLOT))
                    .hasMessageContaining("the queue holds 2");

            release.countDown();
            JobOutcome a = first.completion().get(1, TimeUnit.MINUTES);
            JobOutcome b = second.await();
            JobOutcome c = third.await();
            assertThat(a.error()).isNull();
            assertThat(b.error()).isNull();
            assertThat(c.error()).isNull();
            assertThat(second.tokens).isNotEmpty();
            assertThat(third.tokens).isNotEmpty();
            // 7 + 7 blocks never fit in 10: each waited for the one before it
            assertThat(secondStarted.get()).isGreaterThan(firstEnded.get());
            assertThat(thirdStarted.get()).isGreaterThan(secondStarted.get());
            QueueStatus queue = engine.queue();
            assertThat(queue.queued()).isZero();
            assertThat(queue.admitted()).isEqualTo(3);
            assertThat(queue.waitNanos()).isPositive();
            assertThat(engine.kvCache().usedBlocks()).isZero();
        }
    }

    @Test
    @DisplayName("a running job holds the blocks of its positions only, and gives them all back the moment it is cancelled")
    void runningJobHoldsItsBlocksAndReturnsThemOnCancel() throws Exception {
        try (InferenceEngine engine = Engines.load(TestModels.stories260K(), cpu(2, 0))) {
            CompletableFuture<Job> job = new CompletableFuture<>();
            AtomicInteger usedAtFirstToken = new AtomicInteger(-1);
            RecordingSink sink = new RecordingSink(t -> {
                if (t.index() == 0) {
                    usedAtFirstToken.set(engine.kvCache().usedBlocks());
                    job.join().cancel();
                }
            });
            String prompt = "Once upon a time, there was a little girl named Lily. She liked to play in the park with her"
                    + " big red ball and her friend Tom.";
            job.complete(engine.submit(JobRequest.of("j", prompt, 200, SamplingParams.greedy()), sink));
            JobOutcome outcome = sink.await();
            assertThat(outcome.reason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(outcome.promptTokens()).isGreaterThan(16);
            int blocks = (outcome.promptTokens() + 15) / 16;
            assertThat(usedAtFirstToken.get()).isEqualTo(blocks);
            // the job's memory is its blocks, not a whole-context slot
            long jobBytes = blocks * engine.kvCache().bytesPerBlock();
            assertThat(jobBytes).isLessThan(engine.slots().bytesPerSlot() / 8);
            assertThat(engine.kvCache().usedBlocks()).as("returned when the job completed").isZero();
        }
    }

    @Test
    @DisplayName("a cancelled queued job ends at once without starting and leaves the queue")
    void cancelledQueuedJobEndsWithoutStarting() throws Exception {
        try (InferenceEngine engine = Engines.load(TestModels.stories260K(), cpu(1, 0))) {
            CountDownLatch entered = new CountDownLatch(1), release = new CountDownLatch(1);
            Job first = engine.submit(JobRequest.of("a", "Once", 5, SamplingParams.greedy()), holding(entered, release));
            assertThat(entered.await(1, TimeUnit.MINUTES)).isTrue();
            RecordingSink waiting = new RecordingSink();
            Job queued = engine.submit(JobRequest.of("b", "Once", 5, SamplingParams.greedy()), waiting);
            assertThat(engine.queue().queued()).isEqualTo(1);
            queued.cancel();
            assertThat(waiting.await().reason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(waiting.tokens).isEmpty();
            assertThat(engine.queue().queued()).isZero();
            release.countDown();
            assertThat(first.completion().get(1, TimeUnit.MINUTES).error()).isNull();
            assertThat(engine.queue().admitted()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("free slots count the whole-context jobs the unpromised blocks still hold")
    void freeSlotsFollowThePool() throws Exception {
        try (InferenceEngine engine = Engines.load(TestModels.stories260K(), cpu(4, 40))) {
            assertThat(engine.slots().total()).isEqualTo(4);
            assertThat(engine.slots().free()).isEqualTo(1); // 40 blocks hold one 32-block job
            assertThat(engine.slots().bytesPerSlot()).isGreaterThanOrEqualTo(32 * engine.kvCache().bytesPerBlock());
            CountDownLatch entered = new CountDownLatch(1), release = new CountDownLatch(1);
            Job job = engine.submit(JobRequest.of("a", "Once", 300, SamplingParams.greedy()), holding(entered, release));
            assertThat(entered.await(1, TimeUnit.MINUTES)).isTrue();
            assertThat(engine.slots().free()).isZero(); // 19 blocks promised, 21 left
            release.countDown();
            job.completion().get(1, TimeUnit.MINUTES);
            assertThat(engine.slots().free()).isEqualTo(1);
        }
    }
}
