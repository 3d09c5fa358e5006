package io.gridshare.node.model;

import io.gridshare.node.tensor.GgmlType;
import io.gridshare.node.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * A llama2.c {@link LlamaCheckpoint} seen as a {@link TransformerModel}: F32 matrices read in place,
 * llama2.c's {@link ArchitectureParams#llama2c fixed parameters}, no biases.
 *
 * <p>Stopgap for the branch that changed {@link io.gridshare.node.engine.ForwardBackendFactory} to
 * take a {@link TransformerModel} before {@link LlamaCheckpoint} implements it; remove once it
 * does. Closing the view leaves the checkpoint open: whoever opened the checkpoint closes it.
 */
public final class CheckpointAsModel implements TransformerModel {

    private final LlamaCheckpoint checkpoint;
    private final LlamaConfig c;
    private final ArchitectureParams params;

    private CheckpointAsModel(LlamaCheckpoint checkpoint) {
        this.checkpoint = checkpoint;
        this.c = checkpoint.config();
        this.params = ArchitectureParams.llama2c(c);
    }

    /** The checkpoint as a model; the checkpoint must stay open while the view is used. */
    public static TransformerModel of(LlamaCheckpoint checkpoint) {
        return new CheckpointAsModel(checkpoint);
    }

    @Override
    public Path path() {
        return checkpoint.path();
    }

    @Override
    public LlamaConfig config() {
        return c;
    }

    @Override
    public ArchitectureParams params() {
        return params;
    }

    @Override
    public WeightMatrix tokenEmbedding() {
        return new F32(checkpoint.tokenEmbedding(), c.vocabSize(), c.dim());
    }

    @Override
    public float[] attentionNorm(int layer) {
        return LlamaCheckpoint.toFloats(checkpoint.rmsAtt(layer));
    }

    @Override
    public WeightMatrix wq(int layer) {
        return new F32(checkpoint.wq(layer), c.dim(), c.dim());
    }

    @Override
    public WeightMatrix wk(int layer) {
        return new F32(checkpoint.wk(layer), c.kvDim(), c.dim());
    }

    @Override
    public WeightMatrix wv(int layer) {
        return new F32(checkpoint.wv(layer), c.kvDim(), c.dim());
    }

    @Override
    public float[] bq(int layer) {
        return null;
    }

    @Override
    public float[] bk(int layer) {
        return null;
    }

    @Override
    public float[] bv(int layer) {
        return null;
    }

    @Override
    public WeightMatrix wo(int layer) {
        return new F32(checkpoint.wo(layer), c.dim(), c.dim());
    }

    @Override
    public float[] ffnNorm(int layer) {
        return LlamaCheckpoint.toFloats(checkpoint.rmsFfn(layer));
    }

    @Override
    public WeightMatrix ffnGate(int layer) {
        return new F32(checkpoint.w1(layer), c.hiddenDim(), c.dim());
    }

    @Override
    public WeightMatrix ffnUp(int layer) {
        return new F32(checkpoint.w3(layer), c.hiddenDim(), c.dim());
    }

    @Override
    public WeightMatrix ffnDown(int layer) {
        return new F32(checkpoint.w2(layer), c.dim(), c.hiddenDim());
    }

    @Override
    public float[] outputNorm() {
        return LlamaCheckpoint.toFloats(checkpoint.rmsFinal());
    }

    @Override
    public WeightMatrix output() {
        return new F32(checkpoint.classifier(), c.vocabSize(), c.dim());
    }

    @Override
    public void close() {
        // the checkpoint belongs to whoever opened it
    }

    /** A little-endian F32 matrix in place; scalar products (the CPU backend has its own kernels). */
    private record F32(MemorySegment data, int rows, int cols) implements WeightMatrix {

        @Override
        public GgmlType type() {
            return GgmlType.F32;
        }

        @Override
        public void matmul(float[] out, float[] x, int from, int to) {
            for (int r = from; r < to; r++) {
                long base = 4L * r * cols;
                float sum = 0;
                for (int j = 0; j < cols; j++) {
                    sum += data.get(LlamaCheckpoint.FLOAT_LE, base + 4L * j) * x[j];
                }
                out[r] = sum;
            }
        }

        @Override
        public void dequantizeRow(int row, float[] out, int off) {
            MemorySegment.copy(data, LlamaCheckpoint.FLOAT_LE, 4L * row * cols, out, off, cols);
        }
    }
}
