package io.gridshare.gateway.grid;

import java.util.Locale;
import java.util.Objects;

/**
 * A model a node has loaded. Everything but the hash describes the model itself, so every node that
 * serves a hash reports the same details.
 *
 * @param hash          sha256 identifying the model (lower-case hex, as the node advertises it)
 * @param name          human name, e.g. "stories260K"
 * @param contextLength maximum tokens (prompt + completion) the model handles
 * @param architecture  e.g. "llama", "qwen2"; empty when the node did not say
 * @param parameters    number of weights; 0 when the node did not say
 * @param quantization  stored types of the weight matrices, e.g. "Q4_K ×96, Q6_K ×17"; empty when unknown
 * @param chat          whether the model renders chat requests with its own template
 */
public record NodeModel(String hash, String name, int contextLength, String architecture, long parameters,
                        String quantization, boolean chat) {
    public NodeModel {
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(quantization, "quantization");
        // hashes are compared by the index as plain strings: one canonical spelling
        hash = hash.toLowerCase(Locale.ROOT);
        if (contextLength < 0) {
            throw new IllegalArgumentException("contextLength must be >= 0, was " + contextLength);
        }
        if (parameters < 0) {
            throw new IllegalArgumentException("parameters must be >= 0, was " + parameters);
        }
    }

    /** A model whose architecture, size and quantization are not known (scheduling tests, benchmarks). */
    public NodeModel(String hash, String name, int contextLength) {
        this(hash, name, contextLength, "", 0, "", false);
    }
}
