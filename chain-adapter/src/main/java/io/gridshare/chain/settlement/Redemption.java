package io.gridshare.chain.settlement;

import java.math.BigInteger;

/**
 * One voucher redeemed on chain, as the VoucherRedeemed event reported it.
 *
 * @param channelId the channel
 * @param cumulativeAmount the voucher's cumulative amount
 * @param paidToPayee what the payee received in this redemption
 * @param fee the protocol fee taken from it
 * @param transactionHash the redeem transaction
 * @param blockNumber its block
 */
public record Redemption(BigInteger channelId, BigInteger cumulativeAmount, BigInteger paidToPayee, BigInteger fee,
                         String transactionHash, BigInteger blockNumber) {
}
