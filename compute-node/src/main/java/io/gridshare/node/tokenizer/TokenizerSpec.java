package io.gridshare.node.tokenizer;

import java.util.List;

/**
 * What a GGUF file's {@code tokenizer.ggml.*} metadata says about its tokenizer. Nullable fields
 * are absent keys; the tokenizer then uses llama.cpp's default for the model type.
 *
 * @param model tokenizer.ggml.model: "llama" (SentencePiece) or "gpt2" (byte-level BPE)
 * @param pre tokenizer.ggml.pre, the BPE pre-tokenizer name; may be null
 * @param tokens tokenizer.ggml.tokens
 * @param scores tokenizer.ggml.scores, nullable
 * @param tokenTypes tokenizer.ggml.token_type (1 normal, 2 unknown, 3 control, 4 user-defined,
 *     5 unused, 6 byte), nullable
 * @param merges tokenizer.ggml.merges ("a b"), nullable; required for "gpt2"
 */
public record TokenizerSpec(
        String model,
        String pre,
        List<String> tokens,
        float[] scores,
        int[] tokenTypes,
        List<String> merges,
        Integer bos,
        Integer eos,
        Integer unknown,
        Integer padding,
        Integer eot,
        Integer eom,
        Boolean addBos,
        Boolean addEos,
        Boolean addSpacePrefix) {

    public TokenizerSpec {
        if (model == null) {
            throw new IllegalArgumentException("tokenizer.ggml.model is missing");
        }
        if (tokens == null || tokens.isEmpty()) {
            throw new IllegalArgumentException("tokenizer.ggml.tokens is missing or empty");
        }
        tokens = List.copyOf(tokens);
        merges = merges == null ? null : List.copyOf(merges);
        if (scores != null && scores.length < tokens.size()) {
            throw new IllegalArgumentException("tokenizer.ggml.scores has " + scores.length
                    + " entries for " + tokens.size() + " tokens");
        }
        if (tokenTypes != null && tokenTypes.length < tokens.size()) {
            throw new IllegalArgumentException("tokenizer.ggml.token_type has " + tokenTypes.length
                    + " entries for " + tokens.size() + " tokens");
        }
    }

    /** A spec with only the model, pre-tokenizer and vocabulary; everything else defaulted. */
    public static TokenizerSpec of(String model, String pre, List<String> tokens, float[] scores,
            int[] tokenTypes, List<String> merges) {
        return new TokenizerSpec(model, pre, tokens, scores, tokenTypes, merges,
                null, null, null, null, null, null, null, null, null);
    }

    public TokenizerSpec withSpecialIds(Integer bos, Integer eos, Integer unknown, Integer padding, Integer eot) {
        return new TokenizerSpec(model, pre, tokens, scores, tokenTypes, merges, bos, eos, unknown, padding,
                eot, eom, addBos, addEos, addSpacePrefix);
    }

    public TokenizerSpec withFlags(Boolean addBos, Boolean addEos, Boolean addSpacePrefix) {
        return new TokenizerSpec(model, pre, tokens, scores, tokenTypes, merges, bos, eos, unknown, padding,
                eot, eom, addBos, addEos, addSpacePrefix);
    }
}
