package io.gridshare.node.zoo;

import io.gridshare.node.tensor.GgmlType;

/**
 * The shape of one zoo model: family, the type its matrices are stored in (norms, biases and rope
 * factors stay F32), dimensions and the seed its weights and vocabulary come from.
 *
 * @param vocab vocabulary size; the learned vocabulary is padded with unused-looking normal tokens
 *     up to it when the training text cannot supply that many
 * @param tied the classifier is token_embd.weight (no output.weight tensor)
 */
public record ZooModel(ZooFamily family, GgmlType type, int dim, int layers, int heads, int kvHeads, int hidden,
                       int vocab, long seed, boolean tied) {

    public ZooModel {
        int block = type.blockElements();
        if (dim % heads != 0 || (dim / heads) % 2 != 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("dim " + dim + " / heads " + heads + " / kvHeads " + kvHeads
                    + ": need an even head size and kvHeads dividing heads");
        }
        if (dim % block != 0 || hidden % block != 0) {
            throw new IllegalArgumentException(type + " stores rows in blocks of " + block + " but dim is " + dim
                    + " and hidden " + hidden + "; choose multiples of " + block);
        }
    }

    /**
     * A small test model: dim 256 and hidden 768 (K-quant rows are 256 wide), 2 layers, 8 heads
     * (head size 32), GQA where the family has it, a 1024-token vocabulary.
     */
    public static ZooModel small(ZooFamily family, GgmlType type) {
        int kvHeads = switch (family) {
            case LLAMA2_SPM -> 8;
            case LLAMA3, QWEN2 -> 2;
            case SMOLLM2 -> 4;
        };
        return new ZooModel(family, type, 256, 2, 8, kvHeads, 768, 1024, 42, family.tiedByDefault());
    }

    /**
     * Llama-3.2-1B's shape (dim 2048, 16 layers, 32 heads, 8 KV heads, hidden 8192, tied) with a
     * 32,000-token vocabulary instead of 128,256, so the classifier does not dominate decode time.
     */
    public static ZooModel llama32OneB(GgmlType type) {
        return new ZooModel(ZooFamily.LLAMA3, type, 2048, 16, 32, 8, 8192, 32_000, 1, true);
    }

    /** A ~100M-parameter Llama 3-style model: dim 768, 12 layers, 12 heads, 4 KV heads, hidden 2048, 32k vocabulary. */
    public static ZooModel llama3Hundred(GgmlType type) {
        return new ZooModel(ZooFamily.LLAMA3, type, 768, 12, 12, 4, 2048, 32_000, 1, true);
    }

    public ZooModel withType(GgmlType newType) {
        return new ZooModel(family, newType, dim, layers, heads, kvHeads, hidden, vocab, seed, tied);
    }

    public ZooModel withTied(boolean newTied) {
        return new ZooModel(family, type, dim, layers, heads, kvHeads, hidden, vocab, seed, newTied);
    }

    public int headSize() {
        return dim / heads;
    }

    public int kvDim() {
        return kvHeads * headSize();
    }

    /** Weights in all tensors. */
    public long parameters() {
        long perLayer = 2L * dim * dim + 2L * dim * kvDim() + 3L * dim * hidden + 2L * dim
                + (family.attentionBiases() ? dim + 2L * kvDim() : 0);
        return layers * perLayer + (long) vocab * dim * (tied ? 1 : 2) + dim;
    }

    /** A file name that says what the model is, e.g. {@code zoo-llama3-d256-l2-q4_k.gguf}. */
    public String fileName() {
        return "zoo-" + family.name().toLowerCase(java.util.Locale.ROOT) + "-d" + dim + "-l" + layers + "-v" + vocab
                + (tied ? "" : "-untied") + "-s" + seed + "-" + type.name().toLowerCase(java.util.Locale.ROOT) + ".gguf";
    }
}
