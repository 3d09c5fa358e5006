package io.gridshare.node.bench;

import io.gridshare.node.engine.InferenceEngine;
import io.gridshare.node.engine.JobRefusedException;
import io.gridshare.node.engine.JobRequest;
import io.gridshare.node.engine.SamplingParams;
import java.util.ArrayList;
import java.util.List;

/**
 * Throughput of one loaded engine at a given concurrency: the measurement behind the node's
 * {@code bench} command and the llama.cpp comparison. Jobs are greedy, each with its own prompt and
 * seed, all started at once.
 */
public final class ThroughputBench {

    /**
     * What to run.
     *
     * @param promptTokens prompt length per job in tokens (BOS included; see {@link BenchPrompts})
     * @param tokens tokens each job generates
     * @param repeat runs per concurrency
     */
    public record Settings(int promptTokens, int tokens, int repeat) {
        public Settings {
            if (promptTokens < 1 || tokens < 1 || repeat < 1) {
                throw new IllegalArgumentException("prompt tokens, tokens and repeat must be at least 1, were "
                        + promptTokens + ", " + tokens + ", " + repeat);
            }
        }
    }

    private static final int WARMUP_TOKENS = 16;
    private static final long WARMUP_NANOS = 2_000_000_000L;
    private static final int MAX_WARMUP_JOBS = 200;

    private final InferenceEngine engine;
    private final BenchPrompts prompts;
    private final Settings settings;

    public ThroughputBench(InferenceEngine engine, BenchPrompts prompts, Settings settings) {
        this.engine = engine;
        this.prompts = prompts;
        this.settings = settings;
    }

    /**
     * Short single jobs, one after the other, until {@link #WARMUP_NANOS} have passed (at least one),
     * so the JIT has compiled the forward pass before anything is timed: one job of a large model
     * takes that long by itself, while a tiny model needs dozens before its rates settle.
     *
     * @return the warm-up jobs run
     */
    public int warmup() throws JobRefusedException, InterruptedException {
        long start = System.nanoTime();
        int jobs = 0;
        do {
            ConcurrentRun.run(engine, List.of(JobRequest.of("bench-warmup-" + jobs,
                    prompts.prompt(jobs, settings.promptTokens()), Math.min(WARMUP_TOKENS, settings.tokens()),
                    SamplingParams.greedy())));
            jobs++;
        } while (System.nanoTime() - start < WARMUP_NANOS && jobs < MAX_WARMUP_JOBS);
        return jobs;
    }

    /** {@code concurrency} jobs at once, {@link Settings#repeat} times. */
    public BenchSummary measure(int concurrency) throws JobRefusedException, InterruptedException {
        List<RunResult> runs = new ArrayList<>();
        for (int r = 0; r < settings.repeat(); r++) {
            runs.add(ConcurrentRun.run(engine, requests(concurrency, r)));
        }
        return BenchSummary.of(concurrency, settings.tokens(), runs);
    }

    /** Prompt tokens over the time to the first token of one job with a {@code promptTokens} prompt. */
    public double prefillTokensPerSecond(int promptTokens) throws JobRefusedException, InterruptedException {
        RunResult run = ConcurrentRun.run(engine, List.of(JobRequest.of("bench-prefill",
                prompts.prompt(0, promptTokens), 1, SamplingParams.greedy())));
        JobTiming job = run.jobs().getFirst();
        return job.promptTokens() / (job.ttftNanos() / 1e9);
    }

    /**
     * Time to first token of new jobs while {@code background} other jobs decode: starts the
     * background jobs (long enough to outlast the measurement), waits until every one streams, then
     * submits {@code probes} jobs one after another, each with a {@code probePromptTokens} prompt,
     * and times each from submission to its first token. Chunked prefill is what keeps these
     * bounded while the others stream. The background jobs are cancelled at the end.
     *
     * @return the probes' times to first token, in nanoseconds, in submission order
     */
    public long[] ttftUnderLoad(int background, int probes, int probePromptTokens, int backgroundTokens)
            throws JobRefusedException, InterruptedException {
        java.util.concurrent.CountDownLatch streaming = new java.util.concurrent.CountDownLatch(background);
        List<io.gridshare.node.engine.Job> jobs = new ArrayList<>();
        try {
            for (int j = 0; j < background; j++) {
                jobs.add(engine.submit(JobRequest.of("bench-load-" + j, prompts.prompt(j, settings.promptTokens()),
                        backgroundTokens, new SamplingParams(0f, 1f, j)), new io.gridshare.node.engine.TokenSink() {
                            private boolean first = true;

                            @Override
                            public void onToken(io.gridshare.node.engine.GeneratedToken token) {
                                if (first) {
                                    first = false;
                                    streaming.countDown();
                                }
                            }

                            @Override
                            public void onFinished(io.gridshare.node.engine.JobOutcome outcome) {
                                if (first) {
                                    streaming.countDown();
                                }
                            }
                        }));
            }
            streaming.await();
            long[] ttft = new long[probes];
            for (int p = 0; p < probes; p++) {
                RunResult run = ConcurrentRun.run(engine, List.of(JobRequest.of("bench-probe-" + p,
                        prompts.prompt(background + p, probePromptTokens), 1, SamplingParams.greedy())));
                ttft[p] = run.jobs().getFirst().ttftNanos();
            }
            return ttft;
        } finally {
            jobs.forEach(io.gridshare.node.engine.Job::cancel);
            for (io.gridshare.node.engine.Job job : jobs) {
                try {
                    job.completion().get();
                } catch (java.util.concurrent.ExecutionException ignored) {
                    // cancelled; how it ended does not matter
                }
            }
        }
    }

    private List<JobRequest> requests(int concurrency, int run) {
        List<JobRequest> requests = new ArrayList<>(concurrency);
        for (int j = 0; j < concurrency; j++) {
            // greedy ignores the seed; distinct prompts are what keeps the jobs from computing the same thing
            requests.add(JobRequest.of("bench-c" + concurrency + "-r" + run + "-j" + j,
                    prompts.prompt(j, settings.promptTokens()), settings.tokens(), new SamplingParams(0f, 1f, j)));
        }
        return requests;
    }
}
