package io.gridshare.client;

import java.math.BigInteger;

/**
 * Remembers, per channel, the highest cumulative amount this tenant has signed a voucher for.
 * Vouchers are cumulative, so forgetting it would make the tenant sign a lower voucher that the
 * gateway ignores (the job stalls) or, worse, pay again for tokens already paid. A durable ledger
 * ({@link FileChannelLedger}) must persist {@link #recordSigned} before it returns: the client sends
 * a voucher only after recording it.
 */
public interface ChannelLedger {

    /** The highest amount signed for {@code channel}, zero if none. */
    BigInteger highestSigned(ChannelKey channel);

    /**
     * Records that a voucher for {@code cumulativeAmount} was signed.
     *
     * @throws IllegalArgumentException when the amount is not above the recorded one
     * @throws GridshareClientException when it cannot be persisted (the voucher must not be sent)
     */
    void recordSigned(ChannelKey channel, BigInteger cumulativeAmount);
}
