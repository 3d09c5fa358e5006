package io.gridshare.node.bench;

import io.gridshare.node.engine.EngineConfig;
import io.gridshare.node.engine.Engines;
import io.gridshare.node.engine.GeneratedToken;
import io.gridshare.node.engine.InferenceEngine;
import io.gridshare.node.engine.JobOutcome;
import io.gridshare.node.engine.JobRequest;
import io.gridshare.node.engine.SamplingParams;
import io.gridshare.node.engine.TokenSink;
import io.gridshare.node.model.ModelFiles;
import io.gridshare.node.model.ModelsDirectory;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * Engine throughput on stories260K (not a test: it prints figures for docs/benchmarks.md).
 *
 * <ul>
 *   <li>Single job: empty prompt, 256 tokens, greedy, after warm-up; tokens per second counted as
 *       llama2.c's run.c counts them, from the second token to the last: 255 tokens over the time
 *       between the first and the last token. Also the same count over the job thread's CPU
 *       time, which shows what the code does when other processes share the cores.</li>
 *   <li>Aggregate: 1, 4 and 16 such jobs submitted at once to one engine; all tokens over the wall
 *       time from the first submit to the last job's end.</li>
 *   <li>Memory per slot as the engine computes it.</li>
 * </ul>
 *
 * <p>Arguments: {@code [--models-dir DIR] [--warmup N] [--runs N] [--backend auto|cpu|cuda]}.
 */
public final class EngineBenchmark {

    private static final int TOKENS = 256;

    public static void main(String[] args) throws Exception {
        Path modelsDir = ModelsDirectory.resolve();
        int warmup = 40, runs = 15;
        EngineConfig.Backend backend = EngineConfig.Backend.AUTO;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--models-dir" -> modelsDir = Path.of(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--backend" -> backend = EngineConfig.Backend.parse(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; use --models-dir DIR --warmup N --runs N --backend auto|cpu|cuda");
            }
        }
        ModelFiles files = ModelFiles.stories260K(modelsDir);
        try (InferenceEngine engine = Engines.load(files, EngineConfig.defaults(16).withBackend(backend))) {
            System.out.printf(Locale.ROOT, "model %s (%s), backend: %s — %s%n", engine.model().name(),
                    engine.model().modelHash(), engine.backend().name(), engine.backend().detail());
            System.out.printf(Locale.ROOT, "java %s, %d processors, load average %.2f%n", Runtime.version(),
                    Runtime.getRuntime().availableProcessors(),
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            for (int i = 0; i < warmup; i++) {
                single(engine);
            }
            double[] wall = new double[runs], cpu = new double[runs];
            for (int i = 0; i < runs; i++) {
                double[] r = single(engine);
                wall[i] = r[0];
                cpu[i] = r[1];
            }
            System.out.printf(Locale.ROOT, "single job, %d tokens greedy, %d runs after %d warm-up runs:%n", TOKENS, runs, warmup);
            System.out.printf(Locale.ROOT, "  wall tok/s: best %.0f, median %.0f, worst %.0f%n", max(wall), median(wall), min(wall));
            System.out.printf(Locale.ROOT, "  per CPU-second of the job thread: best %.0f, median %.0f, worst %.0f%n",
                    max(cpu), median(cpu), min(cpu));
            for (int jobs : new int[] {1, 4, 16}) {
                double[] agg = new double[Math.max(3, runs / 3)];
                for (int i = 0; i < agg.length; i++) {
                    agg[i] = aggregate(engine, jobs);
                }
                System.out.printf(Locale.ROOT, "aggregate, %2d concurrent jobs: best %.0f tok/s, median %.0f, worst %.0f (%d runs)%n",
                        jobs, max(agg), median(agg), min(agg), agg.length);
            }
            System.out.printf(Locale.ROOT, "memory per slot: %d bytes (%.2f MiB)%n", engine.slots().bytesPerSlot(),
                    engine.slots().bytesPerSlot() / 1048576.0);
        }
    }

    /** {wall tok/s, CPU tok/s} from the 2nd token to the last. */
    private static double[] single(InferenceEngine engine) throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long[] wall = new long[TOKENS], cpu = new long[TOKENS];
        int[] n = {0};
        CompletableFuture<JobOutcome> done = new CompletableFuture<>();
        engine.submit(JobRequest.of("bench", "", TOKENS, SamplingParams.greedy()), new TokenSink() {
            @Override
            public void onToken(GeneratedToken token) {
                wall[n[0]] = System.nanoTime();
                cpu[n[0]++] = mx.getCurrentThreadCpuTime(); // the sink runs on the job's thread
            }

            @Override
            public void onFinished(JobOutcome outcome) {
                done.complete(outcome);
            }
        });
        JobOutcome outcome = done.get();
        if (outcome.generatedTokens() != TOKENS) {
            throw new IllegalStateException("expected " + TOKENS + " tokens, got " + outcome);
        }
        int last = TOKENS - 1;
        return new double[] {last / ((wall[last] - wall[0]) / 1e9), last / ((cpu[last] - cpu[0]) / 1e9)};
    }

    private static double aggregate(InferenceEngine engine, int jobs) throws Exception {
        List<CompletableFuture<JobOutcome>> all = new ArrayList<>();
        long start = System.nanoTime();
        for (int j = 0; j < jobs; j++) {
            CompletableFuture<JobOutcome> done = new CompletableFuture<>();
            engine.submit(JobRequest.of("agg-" + j, "", TOKENS, SamplingParams.greedy()), new TokenSink() {
                @Override
                public void onToken(GeneratedToken token) {}

                @Override
                public void onFinished(JobOutcome outcome) {
                    done.complete(outcome);
                }
            });
            all.add(done);
        }
        long tokens = 0;
        for (CompletableFuture<JobOutcome> f : all) {
            tokens += f.get().generatedTokens();
        }
        return tokens / ((System.nanoTime() - start) / 1e9);
    }

    private static double max(double[] a) {
        return Arrays.stream(a).max().orElse(0);
    }

    private static double min(double[] a) {
        return Arrays.stream(a).min().orElse(0);
    }

    private static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
