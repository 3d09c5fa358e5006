package io.gridshare.client;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;

/** A ledger that lives as long as the process: for tests and short-lived tools that own a fresh channel. */
public final class InMemoryChannelLedger implements ChannelLedger {
    private final Map<ChannelKey, BigInteger> signed = new HashMap<>();

    @Override
    public synchronized BigInteger highestSigned(ChannelKey channel) {
        return signed.getOrDefault(channel, BigInteger.ZERO);
    }

    @Override
    public synchronized void recordSigned(ChannelKey channel, BigInteger cumulativeAmount) {
        BigInteger current = highestSigned(channel);
        if (cumulativeAmount.compareTo(current) <= 0) {
            throw new IllegalArgumentException("Cannot record " + cumulativeAmount + " for " + channel
                    + ": not above the " + current + " already signed");
        }
        signed.put(channel, cumulativeAmount);
    }
}
