package io.gridshare.node.engine.cuda;

import io.gridshare.node.model.Llama2cModel;
import io.gridshare.node.model.TransformerModel;

import io.gridshare.node.engine.BackendSelector;
import io.gridshare.node.engine.BackendSlot;
import io.gridshare.node.engine.EngineConfig;
import io.gridshare.node.engine.ForwardBackend;
import io.gridshare.node.model.LlamaCheckpoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Tokens per second of a backend on stories260K (not a test; run by scripts/gpu-check.sh):
 *
 * <pre>
 * java ... io.gridshare.node.engine.cuda.CudaBenchmark cuda|cpu [concurrency...]
 * </pre>
 *
 * <p>One job: greedy from BOS for 256 steps, after a warm-up run, counted as run.c counts (the
 * clock starts after the first token; tokens/s = (steps - 1) / elapsed), best and median of 5
 * runs. Then the aggregate tokens/s of N slots stepping at once (default 1, 4, 16): every slot
 * runs 256 greedy steps; tokens/s = all tokens / wall time.
 */
public final class CudaBenchmark {

    private static final int STEPS = 256;
    private static final int RUNS = 5;

    private CudaBenchmark() {}

    public static void main(String[] args) throws Exception {
        String backendName = args.length > 0 ? args[0] : "cuda";
        List<Integer> concurrency = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            concurrency.add(Integer.parseInt(args[i]));
        }
        if (concurrency.isEmpty()) {
            concurrency = List.of(1, 4, 16);
        }
        int maxSlots = concurrency.stream().mapToInt(Integer::intValue).max().orElse(1);
        Path dir = CudaTestModels.stories260K().orElseThrow(() -> new IllegalStateException(
                "stories260K not found; pass -Dgridshare.models.dir=<dir holding stories260K/>"));
        EngineConfig config = new EngineConfig(maxSlots, EngineConfig.Backend.parse(backendName), 0, 0, 64L << 20);
        try (LlamaCheckpoint checkpoint = LlamaCheckpoint.open(dir.resolve("stories260K.bin"));
             ForwardBackend backend = new BackendSelector().select(new Llama2cModel(checkpoint), config)) {
            System.out.println("backend: " + backend.info().name() + " — " + backend.info().detail());
            System.out.println("model: " + dir.resolve("stories260K.bin") + " " + checkpoint.config());
            System.out.println("bytes per slot: " + backend.bytesPerSlot());
            singleJob(backend);
            for (int n : concurrency) {
                aggregate(backend, n);
            }
        }
    }

    private static void singleJob(ForwardBackend backend) {
        try (BackendSlot slot = backend.allocateSlot()) {
            timedRun(backend, slot); // warm-up: JIT, PTX JIT, caches
            double[] rates = new double[RUNS];
            for (int r = 0; r < RUNS; r++) {
                rates[r] = timedRun(backend, slot);
            }
            java.util.Arrays.sort(rates);
            System.out.printf(Locale.ROOT, "single job, greedy, %d steps: best %.0f tok/s, median %.0f tok/s"
                    + " (run.c counting, %d runs after 1 warm-up)%n", STEPS, rates[RUNS - 1], rates[RUNS / 2], RUNS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** One greedy run of {@link #STEPS} steps; tokens/s from the second token to the last, as run.c. */
    private static double timedRun(ForwardBackend backend, BackendSlot slot) {
        float[] logits = new float[backend.config().vocabSize()];
        int token = CudaTestModels.BOS;
        long start = 0;
        for (int pos = 0; pos < STEPS; pos++) {
            backend.forward(slot, token, pos, logits);
            token = CudaTestModels.argmax(logits);
            if (start == 0) {
                start = System.nanoTime();
            }
        }
        long elapsed = System.nanoTime() - start;
        return (STEPS - 1) / (elapsed / 1e9);
    }

    private static void aggregate(ForwardBackend backend, int n) throws Exception {
        List<BackendSlot> slots = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            for (int i = 0; i < n; i++) {
                slots.add(backend.allocateSlot());
            }
            for (int round = 0; round < 2; round++) { // round 0 warms up
                CountDownLatch start = new CountDownLatch(1);
                List<Future<?>> jobs = new ArrayList<>();
                for (BackendSlot slot : slots) {
                    jobs.add(pool.submit(() -> {
                        start.await();
                        float[] logits = new float[backend.config().vocabSize()];
                        int token = CudaTestModels.BOS;
                        for (int pos = 0; pos < STEPS; pos++) {
                            backend.forward(slot, token, pos, logits);
                            token = CudaTestModels.argmax(logits);
                        }
                        return null;
                    }));
                }
                long t0 = System.nanoTime();
                start.countDown();
                for (Future<?> job : jobs) {
                    job.get();
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                if (round == 1) {
                    System.out.printf(Locale.ROOT, "%d concurrent slot(s), greedy, %d steps each: %.0f tok/s aggregate"
                            + " (%.3f s wall)%n", n, STEPS, n * STEPS / seconds, seconds);
                }
            }
        } finally {
            pool.shutdownNow();
            slots.forEach(BackendSlot::close);
        }
    }
}
