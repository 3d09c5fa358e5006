package io.gridshare.gateway.grid;

import java.math.BigInteger;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Which nodes a job can run on: a model by hash or by name, and the most the tenant pays per token.
 *
 * @param model            a model hash (64 hex digits) or a model name
 * @param maxPricePerToken the tenant's maximum price per token in base units; empty for no limit
 */
public record ModelQuery(String model, Optional<BigInteger> maxPricePerToken) {
    public ModelQuery {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(maxPricePerToken, "maxPricePerToken");
        if (model.isBlank()) {
            throw new IllegalArgumentException("model must name a model by hash or name");
        }
        maxPricePerToken.ifPresent(p -> {
            if (p.signum() < 0) {
                throw new IllegalArgumentException("maxPricePerToken must be >= 0, was " + p);
            }
        });
    }

    public static ModelQuery of(String model) {
        return new ModelQuery(model, Optional.empty());
    }

    public static ModelQuery of(String model, BigInteger maxPricePerToken) {
        return new ModelQuery(model, Optional.ofNullable(maxPricePerToken));
    }

    /** True when {@link #model} is spelled as a sha256 hash rather than a name. */
    public boolean byHash() {
        return model.length() == 64 && model.chars().allMatch(c -> Character.digit(c, 16) >= 0);
    }

    /** The hash in its canonical (lower-case) spelling; only meaningful when {@link #byHash()}. */
    public String canonicalHash() {
        return model.toLowerCase(Locale.ROOT);
    }

    /** True when the node serves this model at a price the tenant accepts. */
    public boolean matches(NodeEntry node) {
        boolean model = byHash() ? node.modelHashes().contains(canonicalHash()) : node.modelNames().contains(this.model);
        return model && maxPricePerToken.map(max -> node.pricePerToken().compareTo(max) <= 0).orElse(true);
    }
}
