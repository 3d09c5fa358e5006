package io.gridshare.chain.contracts;

import java.math.BigInteger;

/**
 * A payment channel as PaymentChannels stores it.
 *
 * @param channelId id
 * @param payer who funded it and gets the rest back
 * @param payee who vouchers pay
 * @param token ERC-20 of the deposit
 * @param signer key whose vouchers the channel honours
 * @param deposit total deposited so far
 * @param redeemed total paid out so far (fee included)
 * @param closesAt when finalizeClose becomes possible (0 while not closing), unix seconds
 * @param closed whether the channel is closed
 */
public record Channel(BigInteger channelId, String payer, String payee, String token, String signer,
                      BigInteger deposit, BigInteger redeemed, long closesAt, boolean closed) {

    /** Whether a channel with this id exists (an unknown id reads as all zeros). */
    public boolean exists() {
        return !payer.equals("0x0000000000000000000000000000000000000000");
    }

    /** What redeeming a voucher for {@code cumulativeAmount} would pay now (fee included). */
    public BigInteger redeemable(BigInteger cumulativeAmount) {
        BigInteger capped = cumulativeAmount.min(deposit);
        return capped.compareTo(redeemed) > 0 ? capped.subtract(redeemed) : BigInteger.ZERO;
    }

    /** Whether the payer started closing (the payee should redeem before closesAt). */
    public boolean closing() {
        return closesAt != 0 && !closed;
    }
}
