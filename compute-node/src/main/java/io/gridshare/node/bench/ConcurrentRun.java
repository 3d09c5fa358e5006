package io.gridshare.node.bench;

import io.gridshare.node.engine.FinishReason;
import io.gridshare.node.engine.GeneratedToken;
import io.gridshare.node.engine.InferenceEngine;
import io.gridshare.node.engine.Job;
import io.gridshare.node.engine.JobOutcome;
import io.gridshare.node.engine.JobRefusedException;
import io.gridshare.node.engine.JobRequest;
import io.gridshare.node.engine.TokenSink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;

/**
 * Submits jobs to an engine all at once, through {@link InferenceEngine#submit} only, and times
 * each: whatever the engine does with concurrent jobs (a thread each, or one batched step for all)
 * is what gets measured.
 */
public final class ConcurrentRun {

    private ConcurrentRun() {}

    /**
     * Runs {@code requests} together and waits for all of them.
     *
     * @throws JobRefusedException when the engine refuses one (the ones already started are
     *     cancelled first)
     * @throws IllegalStateException when a job fails or is cancelled, naming it
     */
    public static RunResult run(InferenceEngine engine, List<JobRequest> requests)
            throws JobRefusedException, InterruptedException {
        List<Timer> timers = new ArrayList<>(requests.size());
        List<Job> jobs = new ArrayList<>(requests.size());
        long start = System.nanoTime();
        for (JobRequest request : requests) {
            Timer timer = new Timer(System.nanoTime());
            try {
                jobs.add(engine.submit(request, timer));
            } catch (JobRefusedException e) {
                cancelAll(jobs);
                throw e;
            }
            timers.add(timer);
        }
        long end = start;
        List<JobTiming> timings = new ArrayList<>(requests.size());
        for (int i = 0; i < jobs.size(); i++) {
            JobOutcome outcome = await(jobs.get(i));
            if (outcome.reason() == FinishReason.ERROR || outcome.reason() == FinishReason.CANCELLED) {
                cancelAll(jobs);
                throw new IllegalStateException("benchmark job " + jobs.get(i).id() + " ended "
                        + outcome.reason().name().toLowerCase(java.util.Locale.ROOT)
                        + (outcome.error() == null ? "" : ": " + outcome.error()), outcome.error());
            }
            Timer t = timers.get(i);
            if (t.finished == 0) {
                t.finished = System.nanoTime(); // an engine that completes the future before calling onFinished
            }
            long first = t.count == 0 ? t.finished : t.first;
            timings.add(new JobTiming(outcome.promptTokens(), t.count, first - t.submitted, t.count == 0 ? 0 : t.last - t.first));
            end = Math.max(end, t.finished);
        }
        return new RunResult(timings, end - start);
    }

    private static JobOutcome await(Job job) throws InterruptedException {
        try {
            return job.completion().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("benchmark job " + job.id() + " failed: " + e.getCause(), e.getCause());
        }
    }

    private static void cancelAll(List<Job> jobs) throws InterruptedException {
        jobs.forEach(Job::cancel);
        for (Job job : jobs) {
            try {
                job.completion().get();
            } catch (ExecutionException ignored) {
                // cancelled to free its slot; how it ended does not matter any more
            }
        }
    }

    /** Times one job; the engine calls it from one thread per job, and completion() publishes the fields. */
    private static final class Timer implements TokenSink {
        final long submitted;
        long first;
        long last;
        int count;
        volatile long finished;

        Timer(long submitted) {
            this.submitted = submitted;
        }

        @Override
        public void onToken(GeneratedToken token) {
            last = System.nanoTime();
            if (count++ == 0) {
                first = last;
            }
        }

        @Override
        public void onFinished(JobOutcome outcome) {
            finished = System.nanoTime();
        }
    }
}
