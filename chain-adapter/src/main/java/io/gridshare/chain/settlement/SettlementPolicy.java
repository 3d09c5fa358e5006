package io.gridshare.chain.settlement;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * When redeeming is worth the gas. A batch of one token's vouchers is redeemed when the amount it
 * would pay is at least {@code minRedeemable} and at least {@code gasCostMultiple} times the gas it
 * costs, priced in token base units ({@code tokenUnitsPerWei}: what one wei of gas is worth in the
 * token). Channels that are closing are always redeemed: after the challenge period the rest goes
 * back to the payer.
 *
 * @param minRedeemable smallest amount (token base units) worth a transaction
 * @param tokenUnitsPerWei exchange rate of gas money to the token; zero ignores gas
 * @param gasCostMultiple how many times the gas cost the batch must pay at least
 * @param maxBatchSize vouchers per redeemMany transaction
 * @param gasPerBatch estimated gas of a redeemMany with one voucher (base included)
 * @param gasPerExtraVoucher estimated gas of each further voucher in a batch
 */
public record SettlementPolicy(BigInteger minRedeemable, BigDecimal tokenUnitsPerWei, BigDecimal gasCostMultiple,
                               int maxBatchSize, long gasPerBatch, long gasPerExtraVoucher) {

    public SettlementPolicy {
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("maxBatchSize must be at least 1, was " + maxBatchSize);
        }
    }

    /** Redeem whatever is redeemable, in batches of 50: for tests and for a final sweep. */
    public static SettlementPolicy always() {
        return new SettlementPolicy(BigInteger.ONE, BigDecimal.ZERO, BigDecimal.ONE, 50, 65_000, 20_000);
    }

    /** Gas cost of a batch of {@code vouchers}, estimated from the gas budgets of the contracts. */
    public long estimatedGas(int vouchers) {
        return gasPerBatch + gasPerExtraVoucher * Math.max(0, vouchers - 1);
    }

    /** Whether redeeming {@code amount} with {@code vouchers} vouchers at {@code gasPriceWei} pays off. */
    public boolean worthIt(BigInteger amount, int vouchers, BigInteger gasPriceWei) {
        if (amount.compareTo(minRedeemable) < 0) {
            return false;
        }
        BigDecimal cost = new BigDecimal(gasPriceWei).multiply(BigDecimal.valueOf(estimatedGas(vouchers)))
                .multiply(tokenUnitsPerWei).multiply(gasCostMultiple);
        return new BigDecimal(amount).compareTo(cost) >= 0;
    }
}
