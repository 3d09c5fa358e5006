package io.gridshare.node.model;

import io.gridshare.node.tensor.GgmlType;
import io.gridshare.node.tensor.WeightMatrices;
import io.gridshare.node.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/** A llama2.c checkpoint seen as a {@link TransformerModel}: float32 matrices, no biases, llama2.c's fixed RoPE. */
public final class Llama2cModel implements TransformerModel {

    private final LlamaCheckpoint checkpoint;
    private final LlamaConfig c;
    private final ArchitectureParams params;

    public Llama2cModel(LlamaCheckpoint checkpoint) {
        this.checkpoint = checkpoint;
        this.c = checkpoint.config();
        this.params = ArchitectureParams.llama2c(c);
    }

    /** Maps a checkpoint; see {@link LlamaCheckpoint#open(Path)}. */
    public static Llama2cModel open(Path path) throws java.io.IOException {
        return new Llama2cModel(LlamaCheckpoint.open(path));
    }

    public LlamaCheckpoint checkpoint() {
        return checkpoint;
    }

    private static WeightMatrix f32(MemorySegment m, int rows, int cols) {
        return WeightMatrices.of(GgmlType.F32, m, rows, cols);
    }

    @Override public Path path() { return checkpoint.path(); }
    @Override public LlamaConfig config() { return c; }
    @Override public ArchitectureParams params() { return params; }
    @Override public WeightMatrix tokenEmbedding() { return f32(checkpoint.tokenEmbedding(), c.vocabSize(), c.dim()); }
    @Override public float[] attentionNorm(int layer) { return LlamaCheckpoint.toFloats(checkpoint.rmsAtt(layer)); }
    @Override public WeightMatrix wq(int layer) { return f32(checkpoint.wq(layer), c.dim(), c.dim()); }
    @Override public WeightMatrix wk(int layer) { return f32(checkpoint.wk(layer), c.kvDim(), c.dim()); }
    @Override public WeightMatrix wv(int layer) { return f32(checkpoint.wv(layer), c.kvDim(), c.dim()); }
    @Override public float[] bq(int layer) { return null; }
    @Override public float[] bk(int layer) { return null; }
    @Override public float[] bv(int layer) { return null; }
    @Override public WeightMatrix wo(int layer) { return f32(checkpoint.wo(layer), c.dim(), c.dim()); }
    @Override public float[] ffnNorm(int layer) { return LlamaCheckpoint.toFloats(checkpoint.rmsFfn(layer)); }
    @Override public WeightMatrix ffnGate(int layer) { return f32(checkpoint.w1(layer), c.hiddenDim(), c.dim()); }
    @Override public WeightMatrix ffnUp(int layer) { return f32(checkpoint.w3(layer), c.hiddenDim(), c.dim()); }
    @Override public WeightMatrix ffnDown(int layer) { return f32(checkpoint.w2(layer), c.dim(), c.hiddenDim()); }
    @Override public float[] outputNorm() { return LlamaCheckpoint.toFloats(checkpoint.rmsFinal()); }
    @Override public WeightMatrix output() { return f32(checkpoint.classifier(), c.vocabSize(), c.dim()); }

    @Override
    public void close() {
        checkpoint.close();
    }
}
