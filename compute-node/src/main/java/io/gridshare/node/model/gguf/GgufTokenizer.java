package io.gridshare.node.model.gguf;

import io.gridshare.node.model.ModelFormatException;
import io.gridshare.node.tokenizer.TextTokenizer;
import io.gridshare.node.tokenizer.TokenizerSpec;
import io.gridshare.node.tokenizer.Tokenizers;
import java.util.List;
import java.util.OptionalLong;

/** Builds the tokenizer that a GGUF file's {@code tokenizer.ggml.*} metadata describes. */
public final class GgufTokenizer {

    private GgufTokenizer() {}

    /**
     * @throws ModelFormatException naming the file when the tokenizer metadata is missing,
     *     inconsistent, or names a tokenizer this node does not implement (the message lists the
     *     supported ones)
     */
    public static TextTokenizer from(GgufFile file) throws ModelFormatException {
        GgufMetadata md = file.metadata();
        try {
            List<String> tokens = md.stringArray("tokenizer.ggml.tokens");
            TokenizerSpec spec = new TokenizerSpec(
                    md.requireString("tokenizer.ggml.model"),
                    md.string("tokenizer.ggml.pre").orElse(null),
                    tokens,
                    md.contains("tokenizer.ggml.scores") ? md.floatArray("tokenizer.ggml.scores") : null,
                    md.contains("tokenizer.ggml.token_type") ? md.intArray("tokenizer.ggml.token_type") : null,
                    md.contains("tokenizer.ggml.merges") ? md.stringArray("tokenizer.ggml.merges") : null,
                    id(file.path(), md, "tokenizer.ggml.bos_token_id", tokens.size()),
                    id(file.path(), md, "tokenizer.ggml.eos_token_id", tokens.size()),
                    id(file.path(), md, "tokenizer.ggml.unknown_token_id", tokens.size()),
                    id(file.path(), md, "tokenizer.ggml.padding_token_id", tokens.size()),
                    id(file.path(), md, "tokenizer.ggml.eot_token_id", tokens.size()),
                    id(file.path(), md, "tokenizer.ggml.eom_token_id", tokens.size()),
                    md.bool("tokenizer.ggml.add_bos_token").orElse(null),
                    md.bool("tokenizer.ggml.add_eos_token").orElse(null),
                    md.bool("tokenizer.ggml.add_space_prefix").orElse(null));
            return Tokenizers.fromSpec(spec);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file.path(), e.getMessage());
        }
    }

    /** A token id key, or null when absent; an id outside the vocabulary is an error. */
    private static Integer id(java.nio.file.Path path, GgufMetadata md, String key, int vocab) throws ModelFormatException {
        OptionalLong v = md.integer(key);
        if (v.isEmpty()) {
            return null;
        }
        long id = v.getAsLong();
        if (id == -1 || id == 0xFFFFFFFFL) {
            return null; // llama.cpp writes -1 for "none"
        }
        if (id < 0 || id >= vocab) {
            throw new ModelFormatException(path, key + " " + id + " is outside the vocabulary [0, " + vocab + ")");
        }
        return (int) id;
    }
}
