package io.gridshare.node.model;

/**
 * The shape of a Llama-2 model as stored in a llama2.c checkpoint header.
 *
 * @param dim model (embedding) width
 * @param hiddenDim feed-forward width
 * @param layers transformer layers
 * @param heads query heads
 * @param kvHeads key/value heads (fewer than {@code heads} for grouped-query attention)
 * @param vocabSize vocabulary size
 * @param seqLen context length in tokens
 * @param sharedClassifier whether the classifier reuses the token embedding table (the header's
 *     vocab_size was positive)
 */
public record LlamaConfig(int dim, int hiddenDim, int layers, int heads, int kvHeads, int vocabSize, int seqLen,
                          boolean sharedClassifier) {

    /** Width of one attention head. */
    public int headSize() {
        return dim / heads;
    }

    /** Width of the keys (and values) of one position: {@code kvHeads * headSize}. */
    public int kvDim() {
        return kvHeads * headSize();
    }

    /** Query heads that share one key/value head. */
    public int kvMul() {
        return heads / kvHeads;
    }

    /** Number of float32 weights the checkpoint must hold after its header, in file order. */
    public long weightFloats() {
        long d = dim, h = hiddenDim, l = layers, v = vocabSize, kv = kvDim(), hs = headSize();
        long n = v * d                  // token embedding
                + l * d                 // rms_att
                + l * d * d             // wq
                + 2 * l * d * kv        // wk, wv
                + l * d * d             // wo
                + l * d                 // rms_ffn
                + 3 * l * d * h         // w1, w2, w3
                + d                     // rms_final
                + 2 * ((long) seqLen * hs / 2); // legacy freq_cis_real and freq_cis_imag, unused
        return sharedClassifier ? n : n + v * d;
    }
}
