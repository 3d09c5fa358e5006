package io.gridshare.node.model;

import io.gridshare.node.tensor.WeightMatrix;
import java.nio.file.Path;

/**
 * The weights of a decoder-only transformer of the Llama family (Llama 2/3, Mistral, SmolLM2,
 * TinyLlama, Qwen2), however they are stored: a llama2.c checkpoint or a GGUF file. Matrices are
 * read in place from the mapped file in their stored {@link io.gridshare.node.tensor.GgmlType};
 * the small vectors (norm weights, biases) are copied to the heap as floats.
 *
 * <p>Matrices are row-major {@code [out][in]}: {@code wq} is {@code [dim][dim]}, {@code wk} and
 * {@code wv} {@code [kvDim][dim]}, {@code wo} {@code [dim][dim]}, {@code ffnGate} (w1) and
 * {@code ffnUp} (w3) {@code [hiddenDim][dim]}, {@code ffnDown} (w2) {@code [dim][hiddenDim]},
 * {@code tokenEmbedding} and {@code output} {@code [vocab][dim]}.
 *
 * <p>Closing unmaps the file; no matrix may be used afterwards.
 */
public interface TransformerModel extends AutoCloseable {

    Path path();

    /** The shape: widths, layers, heads, vocabulary, and the context the node serves. */
    LlamaConfig config();

    /** Architecture parameters the forward pass needs beyond the shape. */
    ArchitectureParams params();

    WeightMatrix tokenEmbedding();

    float[] attentionNorm(int layer);

    WeightMatrix wq(int layer);

    WeightMatrix wk(int layer);

    WeightMatrix wv(int layer);

    /** Query bias ({@code qwen2}), or null. */
    float[] bq(int layer);

    /** Key bias ({@code qwen2}), or null. */
    float[] bk(int layer);

    /** Value bias ({@code qwen2}), or null. */
    float[] bv(int layer);

    WeightMatrix wo(int layer);

    float[] ffnNorm(int layer);

    WeightMatrix ffnGate(int layer);

    WeightMatrix ffnUp(int layer);

    WeightMatrix ffnDown(int layer);

    float[] outputNorm();

    /** The classifier; the token embedding when the model ties them. */
    WeightMatrix output();

    @Override
    void close();
}
