package io.gridshare.gateway.link;

import java.math.BigInteger;
import java.util.Objects;

/**
 * The outcome of a stake check.
 *
 * @param outcome admitted, or why not
 * @param stake the stake found (zero when not registered)
 * @param minimum the minimum stake required
 */
public record StakeVerdict(Outcome outcome, BigInteger stake, BigInteger minimum) {

    public enum Outcome { ADMITTED, NOT_REGISTERED, INSUFFICIENT_STAKE }

    public StakeVerdict {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(stake, "stake");
        Objects.requireNonNull(minimum, "minimum");
    }

    public boolean admitted() {
        return outcome == Outcome.ADMITTED;
    }
}
