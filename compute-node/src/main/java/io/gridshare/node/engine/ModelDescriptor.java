package io.gridshare.node.engine;

/**
 * A loaded model. A model is identified by the sha256 of its files: for a GGUF file
 * {@code modelHash} is the file's sha256 (and {@code checkpointSha256} the same, with an empty
 * {@code tokenizerSha256}); for a llama2.c pair it is the sha256 (lowercase hex) of the UTF-8 text
 * {@code checkpointSha256 + ":" + tokenizerSha256}.
 *
 * @param architecture {@code general.architecture} ("llama", "qwen2"); "llama" for llama2.c
 * @param parameters number of weights in the file
 * @param quantization the stored types of the weight matrices, e.g. "Q4_K ×96, Q6_K ×17"
 * @param hasChatTemplate whether the model carries a chat template (chat requests need one)
 */
public record ModelDescriptor(String name, String modelHash, String checkpointSha256, String tokenizerSha256,
                              int dim, int hiddenDim, int layers, int heads, int kvHeads, int vocabSize,
                              int contextLength, String architecture, long parameters, String quantization,
                              boolean hasChatTemplate) {

    /** A llama2.c model: float32 weights, no chat template. */
    public ModelDescriptor(String name, String modelHash, String checkpointSha256, String tokenizerSha256,
                           int dim, int hiddenDim, int layers, int heads, int kvHeads, int vocabSize,
                           int contextLength) {
        this(name, modelHash, checkpointSha256, tokenizerSha256, dim, hiddenDim, layers, heads, kvHeads, vocabSize,
                contextLength, "llama", llama2cParameters(dim, hiddenDim, layers, heads, kvHeads, vocabSize), "F32",
                false);
    }

    private static long llama2cParameters(int dim, int hidden, int layers, int heads, int kvHeads, int vocab) {
        long d = dim, kv = (long) dim / heads * kvHeads;
        return (long) vocab * d + layers * (2 * d + 2 * d * d + 2 * d * kv + 3 * d * hidden) + d;
    }
}
