package io.gridshare.gateway.link;

import java.math.BigInteger;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stakes held in memory rather than read from NodeRegistry: for tests and for a gateway run without a
 * chain ({@code gridshare.stake.source=in-memory}). Keys are 0x addresses, compared case-insensitively.
 */
public final class InMemoryNodeStakeCheck implements NodeStakeCheck {

    private final Map<String, BigInteger> stakes = new ConcurrentHashMap<>();
    private final BigInteger minimum;

    public InMemoryNodeStakeCheck(BigInteger minimum) {
        this.minimum = minimum;
    }

    /** Records (or replaces) the stake of a node key. */
    public InMemoryNodeStakeCheck stake(String nodeKey, BigInteger amount) {
        stakes.put(nodeKey.toLowerCase(Locale.ROOT), amount);
        return this;
    }

    @Override
    public StakeVerdict check(String nodeKey) {
        BigInteger stake = stakes.get(nodeKey.toLowerCase(Locale.ROOT));
        if (stake == null) {
            return new StakeVerdict(StakeVerdict.Outcome.NOT_REGISTERED, BigInteger.ZERO, minimum);
        }
        return new StakeVerdict(stake.compareTo(minimum) >= 0 ? StakeVerdict.Outcome.ADMITTED
                : StakeVerdict.Outcome.INSUFFICIENT_STAKE, stake, minimum);
    }
}
