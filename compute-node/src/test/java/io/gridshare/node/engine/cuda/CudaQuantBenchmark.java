package io.gridshare.node.engine.cuda;

import io.gridshare.node.engine.BackendSlot;
import io.gridshare.node.engine.EngineConfig;
import io.gridshare.node.engine.ForwardBackend;
import io.gridshare.node.model.ArchitectureParams;
import io.gridshare.node.model.LlamaConfig;
import io.gridshare.node.tensor.GgmlType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Decode speed of the CUDA backend on GGUF-style models with weights kept quantized (not a test;
 * run by scripts/gpu-check.sh):
 *
 * <pre>
 * java ... io.gridshare.node.engine.cuda.CudaQuantBenchmark [layers] [type...]
 * </pre>
 *
 * <p>A random model of TinyLlama's widths (dim 2048, hidden 5632, 32 query / 4 KV heads, vocab
 * 32000; default 8 layers instead of 22 to keep set-up short) in each type (default F16, Q8_0,
 * Q4_K; the embedding and classifier in the same type): tokens/s of one job (64 steps after a
 * warm-up) and the aggregate of 8 slots stepping together, with the weight bytes each step reads
 * per second, the figure to hold against the GPU's memory bandwidth.
 */
public final class CudaQuantBenchmark {

    private static final int STEPS = 64;

    private CudaQuantBenchmark() {}

    public static void main(String[] args) throws Exception {
        int layers = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        List<GgmlType> types = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            types.add(GgmlType.valueOf(args[i]));
        }
        if (types.isEmpty()) {
            types = List.of(GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_K);
        }
        LlamaConfig c = new LlamaConfig(2048, 5632, layers, 32, 4, 32000, 256, false);
        ArchitectureParams params = new ArchitectureParams("llama", 10000f, 1e-5f,
                ArchitectureParams.RopeStyle.ADJACENT, c.headSize(), null, 2048);
        for (GgmlType type : types) {
            long t0 = System.nanoTime();
            SyntheticModel model = SyntheticModel.random(c, params, type, type, type, type, false, 5);
            long stepBytes = DeviceWeights.bytes(model) - model.tokenEmbedding().data().byteSize();
            System.out.printf(Locale.ROOT, "%s: %s, %.0f MiB read per step, built in %.1f s%n", type, c,
                    stepBytes / 1048576.0, (System.nanoTime() - t0) / 1e9);
            try (ForwardBackend cuda = new CudaBackendFactory().create(model,
                    new EngineConfig(8, EngineConfig.Backend.CUDA, 0, 0, 64L << 20))) {
                double single = singleJob(cuda);
                System.out.printf(Locale.ROOT, "%s single job: %.1f tok/s, %.0f GB/s of weights%n", type, single,
                        single * stepBytes / 1e9);
                double aggregate = aggregate(cuda, 8);
                System.out.printf(Locale.ROOT, "%s 8 concurrent slots: %.1f tok/s aggregate%n", type, aggregate);
            }
        }
    }

    private static double singleJob(ForwardBackend backend) throws Exception {
        try (BackendSlot slot = backend.allocateSlot()) {
            run(backend, slot);
            long t0 = System.nanoTime();
            run(backend, slot);
            return STEPS / ((System.nanoTime() - t0) / 1e9);
        }
    }

    private static void run(ForwardBackend backend, BackendSlot slot) {
        float[] logits = new float[backend.config().vocabSize()];
        int token = 1;
        for (int pos = 0; pos < STEPS; pos++) {
            backend.forward(slot, token, pos, logits);
            token = CudaTestModels.argmax(logits);
        }
    }

    private static double aggregate(ForwardBackend backend, int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        List<BackendSlot> slots = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                slots.add(backend.allocateSlot());
            }
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> jobs = new ArrayList<>();
            for (BackendSlot slot : slots) {
                jobs.add(pool.submit(() -> {
                    start.await();
                    run(backend, slot);
                    return null;
                }));
            }
            long t0 = System.nanoTime();
            start.countDown();
            for (Future<?> job : jobs) {
                job.get();
            }
            return n * STEPS / ((System.nanoTime() - t0) / 1e9);
        } finally {
            pool.shutdownNow();
            slots.forEach(BackendSlot::close);
        }
    }
}
