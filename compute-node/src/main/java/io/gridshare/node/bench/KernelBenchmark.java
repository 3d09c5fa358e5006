package io.gridshare.node.bench;

import io.gridshare.node.tensor.Float16;
import io.gridshare.node.tensor.GgmlType;
import io.gridshare.node.tensor.WeightMatrices;
import io.gridshare.node.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Matrix-vector throughput of the weight kernels (not a test: it prints figures). For each type
 * and shape it fills a native matrix with random weights (valid scales, no NaNs or subnormals),
 * warms the kernel up, then times {@code --iters} products (best of five rounds) and prints the weight bytes read per
 * second, the figure a memory-bound decode step lives by.
 *
 * <p>Arguments: {@code [--iters N] [--threads N] [--types Q8_0,Q4_K,...] [--batch 1,4,16]}; with
 * several threads the rows are split into one contiguous range per thread, as the engine splits
 * them. With one thread the time is the thread's CPU time, so a loaded machine does not skew the
 * figure. With {@code --batch B} each product is {@link WeightMatrix#matmulBatch} over {@code B}
 * activation rows (a decode step of {@code B} jobs, {@code iters / B} products per round): the
 * figures are the matrix's bytes per second (weights read once per product, so a kernel that
 * batches keeps them near the B = 1 figure) and the multiply-adds of all rows, as GFLOP/s.
 */
public final class KernelBenchmark {

    private static final int ROUNDS = 5;
    private static final int[][] SHAPES = {{2048, 2048}, {8192, 2048}};

    public static void main(String[] args) throws Exception {
        int iters = 300, threads = 1;
        int[] batches = {1};
        List<GgmlType> types = Arrays.asList(GgmlType.values());
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--iters" -> iters = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--types" -> types = Arrays.stream(args[++i].split(",")).map(GgmlType::valueOf).toList();
                case "--batch" -> batches = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; use --iters N --threads N --types Q8_0,Q4_K,... --batch 1,4,16");
            }
        }
        System.out.printf(Locale.ROOT, "java %s, %d processors, %d thread(s), %d iterations, vector %d bits%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), threads, iters,
                jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize());
        ExecutorService pool = threads > 1 ? Executors.newFixedThreadPool(threads) : null;
        try (Arena arena = Arena.ofShared()) {
            for (GgmlType type : types) {
                for (int batch : batches) {
                    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-5s B=%-2d", type, batch));
                    for (int[] shape : SHAPES) {
                        int rows = shape[0], cols = shape[1];
                        WeightMatrix m = WeightMatrices.of(type, randomMatrix(arena, type, rows, cols), rows, cols);
                        double gbs = measure(m, batch, Math.max(10, iters / batch), threads, pool);
                        double seconds = m.data().byteSize() / gbs / 1e9;
                        line.append(String.format(Locale.ROOT, "  %dx%d: %6.2f GB/s %6.1f GFLOP/s (%6.1f us/product)",
                                rows, cols, gbs, 2.0 * rows * cols * batch / seconds / 1e9, seconds * 1e6));
                    }
                    System.out.println(line);
                }
            }
        } finally {
            if (pool != null) {
                pool.shutdown();
            }
        }
    }

    private static double measure(WeightMatrix m, int batch, int iters, int threads, ExecutorService pool)
            throws Exception {
        float[][] x = new float[batch][m.cols()];
        float[][] out = new float[batch][m.rows()];
        SplittableRandom rnd = new SplittableRandom(7);
        for (float[] row : x) {
            for (int i = 0; i < row.length; i++) {
                row[i] = (float) rnd.nextDouble(-1, 1);
            }
        }
        List<Callable<Void>> parts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int from = (int) ((long) m.rows() * t / threads), to = (int) ((long) m.rows() * (t + 1) / threads);
            parts.add(() -> {
                product(m, out, x, batch, from, to);
                return null;
            });
        }
        for (int i = 0; i < Math.max(200 / batch, iters / 2); i++) {
            run(m, out, x, batch, parts, pool);
        }
        // on a shared machine wall time mostly measures the other processes: with one thread the
        // figure is per second of this thread's CPU time, which only the kernel's own speed moves;
        // the best of several rounds, since a starved JIT compiler thread can leave the first
        // rounds in slower code
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        boolean onCpu = pool == null && cpu.isCurrentThreadCpuTimeSupported();
        double best = 0;
        long allocated = 0;
        for (int round = 0; round < ROUNDS; round++) {
            long bytes = allocatedBytes();
            long start = onCpu ? cpu.getCurrentThreadCpuTime() : System.nanoTime();
            for (int i = 0; i < iters; i++) {
                run(m, out, x, batch, parts, pool);
            }
            long end = onCpu ? cpu.getCurrentThreadCpuTime() : System.nanoTime();
            allocated = allocatedBytes() - bytes;
            best = Math.max(best, (double) m.data().byteSize() * iters / ((end - start) / 1e9) / 1e9);
        }
        if (pool == null && allocated > 0) {
            // a kernel whose vectors C2 could not keep in registers allocates a box per operation
            System.out.printf(Locale.ROOT, "  (%s B=%d allocated %d bytes per product in the last round)%n",
                    m, batch, allocated / iters);
        }
        return best;
    }

    private static void run(WeightMatrix m, float[][] out, float[][] x, int batch, List<Callable<Void>> parts,
            ExecutorService pool) throws Exception {
        if (pool == null) {
            product(m, out, x, batch, 0, m.rows());
        } else {
            for (var f : pool.invokeAll(parts)) {
                f.get();
            }
        }
    }

    private static long allocatedBytes() {
        return java.lang.management.ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                ? t.getCurrentThreadAllocatedBytes() : 0;
    }

    /** One row of activations takes the single-vector path the engine's decode of one job takes. */
    private static void product(WeightMatrix m, float[][] out, float[][] x, int batch, int from, int to) {
        if (batch == 1) {
            m.matmul(out[0], x[0], from, to);
        } else {
            m.matmulBatch(out, x, batch, from, to);
        }
    }

    /** Random bytes with every scale field set to a normal f16, and float types holding finite values. */
    private static MemorySegment randomMatrix(Arena arena, GgmlType type, int rows, int cols) {
        long bytes = rows * type.bytesFor(cols);
        MemorySegment seg = arena.allocate(bytes, 64);
        SplittableRandom rnd = new SplittableRandom(42);
        ValueLayout.OfShort half = ValueLayout.JAVA_SHORT_UNALIGNED;
        switch (type) {
            case F32 -> {
                for (long i = 0; i < bytes; i += 4) {
                    seg.set(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) rnd.nextDouble(-0.1, 0.1));
                }
            }
            case F16, BF16 -> {
                for (long i = 0; i < bytes; i += 2) {
                    float v = (float) rnd.nextDouble(-0.1, 0.1);
                    seg.set(half, i, type == GgmlType.F16 ? Float16.fromFloat(v) : Float16.floatToBf16(v));
                }
            }
            default -> {
                for (long i = 0; i < bytes; i++) {
                    seg.set(ValueLayout.JAVA_BYTE, i, (byte) rnd.nextInt(256));
                }
                int[] scaleOffsets = switch (type) {
                    case Q4_K, Q5_K -> new int[] {0, 2};
                    case Q6_K -> new int[] {208};
                    default -> new int[] {0};
                };
                for (long b = 0; b < bytes; b += type.blockBytes()) {
                    for (int so : scaleOffsets) {
                        seg.set(half, b + so, Float16.fromFloat((float) rnd.nextDouble(0.001, 0.01)));
                    }
                }
            }
        }
        return seg;
    }
}
