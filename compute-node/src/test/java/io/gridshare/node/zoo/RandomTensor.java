package io.gridshare.node.zoo;

import io.gridshare.node.model.gguf.GgufWriter;
import io.gridshare.node.tensor.GgmlQuantizer;
import io.gridshare.node.tensor.GgmlType;
import java.io.IOException;
import java.io.OutputStream;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * One random tensor of a zoo model, generated while the file is written: rows come in chunks, each
 * from its own seeded generator, are quantized with ggml's reference quantizers and streamed out.
 * The float values depend only on the seed, the name and the shape, so every tensor type of a zoo
 * model quantizes the same weights, and a 1B-parameter file never needs more than a few chunks in memory.
 *
 * @param std standard deviation of the normal entries
 * @param rowSpread each row is scaled by {@code exp(rowSpread * N(0,1))}: a heavy-tailed spread of
 *     classifier rows gives a clear argmax instead of a near-tie among Gaussian maxima
 * @param mean added to every entry (1 for norm weights)
 */
record RandomTensor(String name, GgmlType type, int rows, int cols, float std, float rowSpread, float mean, long seed)
        implements GgufWriter.TensorSource {

    private static final int CHUNK_FLOATS = 1 << 20;

    long[] dims() {
        return rows == 1 ? new long[] {cols} : new long[] {cols, rows};
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        int chunkRows = Math.max(1, CHUNK_FLOATS / cols);
        int chunks = (rows + chunkRows - 1) / chunkRows;
        int parallel = Math.max(1, Runtime.getRuntime().availableProcessors());
        for (int first = 0; first < chunks; first += parallel) {
            int end = Math.min(chunks, first + parallel);
            byte[][] encoded = new byte[end - first][];
            int base = first;
            IntStream.range(first, end).parallel().forEach(c ->
                    encoded[c - base] = GgmlQuantizer.quantize(type, chunk(c, chunkRows), cols));
            for (byte[] b : encoded) {
                out.write(b);
            }
        }
    }

    /** All values, row-major (small tensors and tests only). */
    float[] values() {
        int chunkRows = Math.max(1, CHUNK_FLOATS / cols);
        float[] all = new float[Math.multiplyExact(rows, cols)];
        for (int c = 0, row = 0; row < rows; c++, row += chunkRows) {
            float[] part = chunk(c, chunkRows);
            System.arraycopy(part, 0, all, row * cols, part.length);
        }
        return all;
    }

    /**
     * This tensor stored as F32 holding the values {@code through} would store (quantized, then
     * dequantized): llama.cpp then multiplies by exactly the quantized weights with float
     * activations, as this project's engine does.
     */
    GgufWriter.TensorSource dequantizedThrough(GgmlType through) {
        RandomTensor quantized = new RandomTensor(name, through, rows, cols, std, rowSpread, mean, seed);
        return out -> {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            quantized.writeTo(bytes);
            java.lang.foreign.MemorySegment seg = java.lang.foreign.MemorySegment.ofArray(bytes.toByteArray());
            io.gridshare.node.tensor.WeightMatrix m = io.gridshare.node.tensor.WeightMatrices.of(through, seg, rows, cols);
            float[] row = new float[cols];
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * cols).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int r = 0; r < rows; r++) {
                m.dequantizeRow(r, row, 0);
                b.clear();
                b.asFloatBuffer().put(row);
                out.write(b.array());
            }
        };
    }

    private float[] chunk(int index, int chunkRows) {
        int from = index * chunkRows;
        int n = Math.min(chunkRows, rows - from);
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode() * 31L + index);
        float[] v = new float[n * cols];
        for (int i = 0; i < n; i++) {
            float scale = std * (rowSpread == 0f ? 1f : (float) Math.exp(rowSpread * r.nextGaussian()));
            for (int j = 0; j < cols; j++) {
                v[i * cols + j] = mean + scale * (float) r.nextGaussian();
            }
        }
        return v;
    }
}
