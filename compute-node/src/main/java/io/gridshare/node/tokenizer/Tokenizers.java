package io.gridshare.node.tokenizer;

/** Builds the tokenizer a GGUF file's metadata describes. */
public final class Tokenizers {

    private Tokenizers() {
    }

    /**
     * @throws UnsupportedTokenizerException when tokenizer.ggml.model or tokenizer.ggml.pre names
     *     a tokenizer this node does not implement; the message lists the supported values
     * @throws IllegalArgumentException when the vocabulary itself is inconsistent
     */
    public static TextTokenizer fromSpec(TokenizerSpec spec) {
        return switch (spec.model()) {
            case "llama" -> SentencePieceTokenizer.of(spec);
            case "gpt2" -> BytePairTokenizer.of(spec);
            default -> throw new UnsupportedTokenizerException("unsupported tokenizer.ggml.model '" + spec.model()
                    + "'; supported: \"llama\" (SentencePiece) and \"gpt2\" (byte-level BPE)");
        };
    }
}
