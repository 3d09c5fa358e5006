package io.gridshare.gateway.grid;

import java.util.Locale;
import java.util.Objects;

/**
 * A model a node has loaded.
 *
 * @param hash          sha256 identifying the model (lower-case hex, as the node advertises it)
 * @param name          human name, e.g. "stories260K"
 * @param contextLength maximum tokens (prompt + completion) the model handles
 */
public record NodeModel(String hash, String name, int contextLength) {
    public NodeModel {
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(name, "name");
        // hashes are compared by the index as plain strings: one canonical spelling
        hash = hash.toLowerCase(Locale.ROOT);
        if (contextLength < 0) {
            throw new IllegalArgumentException("contextLength must be >= 0, was " + contextLength);
        }
    }
}
