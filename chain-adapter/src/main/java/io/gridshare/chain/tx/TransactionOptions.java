package io.gridshare.chain.tx;

import java.math.BigInteger;
import java.time.Duration;

/**
 * How transactions are sent and awaited.
 *
 * @param confirmations blocks (including the one holding the transaction) before a receipt counts
 * @param receiptTimeout how long to wait for those confirmations
 * @param pollInterval how often to ask the node for the receipt
 * @param gasLimitMultiplier estimated gas is multiplied by this (estimates can be a little low)
 * @param maxFeePerGasCap refuse to pay more than this per gas (wei); null for no cap
 */
public record TransactionOptions(int confirmations, Duration receiptTimeout, Duration pollInterval,
                                 double gasLimitMultiplier, BigInteger maxFeePerGasCap) {

    public TransactionOptions {
        if (confirmations < 1) {
            throw new IllegalArgumentException("confirmations must be at least 1, was " + confirmations);
        }
        if (gasLimitMultiplier < 1.0) {
            throw new IllegalArgumentException("gasLimitMultiplier must be at least 1.0, was " + gasLimitMultiplier);
        }
    }

    /** One confirmation, two minutes, polling every 100 ms, gas estimate +20 %. */
    public static TransactionOptions defaults() {
        return new TransactionOptions(1, Duration.ofMinutes(2), Duration.ofMillis(100), 1.2, null);
    }

    public TransactionOptions withConfirmations(int blocks) {
        return new TransactionOptions(blocks, receiptTimeout, pollInterval, gasLimitMultiplier, maxFeePerGasCap);
    }

    public TransactionOptions withReceiptTimeout(Duration timeout) {
        return new TransactionOptions(confirmations, timeout, pollInterval, gasLimitMultiplier, maxFeePerGasCap);
    }
}
