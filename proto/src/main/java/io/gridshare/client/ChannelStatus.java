package io.gridshare.client;

import java.math.BigInteger;

/**
 * A tenant's view of one channel: the chain's state and the local ledger.
 *
 * @param channel the channel
 * @param payer who funded it
 * @param payee who vouchers pay (the gateway)
 * @param signer whose vouchers count
 * @param token the ERC-20 of the deposit
 * @param deposit deposited so far
 * @param redeemed paid out so far
 * @param highestSigned the highest voucher this tenant signed (local ledger)
 * @param remaining what is left to spend: deposit − max(redeemed, highestSigned)
 * @param closesAt when finalize becomes possible (unix seconds, 0 while not closing)
 * @param closing the payer started closing
 * @param closed the channel is closed
 */
public record ChannelStatus(ChannelKey channel, String payer, String payee, String signer, String token,
                            BigInteger deposit, BigInteger redeemed, BigInteger highestSigned, BigInteger remaining,
                            long closesAt, boolean closing, boolean closed) {
}
