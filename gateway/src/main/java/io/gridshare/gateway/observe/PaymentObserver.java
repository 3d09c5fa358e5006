package io.gridshare.gateway.observe;

import io.gridshare.chain.settlement.Redemption;
import java.math.BigInteger;
import java.util.List;

/**
 * What the gateway's payment side reports as money moves: tenant vouchers counted or refused,
 * redemptions on chain, jobs paused or ended for want of a voucher, vouchers signed for nodes. The
 * metrics bean implements it; the payment classes know nothing of MicroProfile. Amounts are base
 * units of the payment token. Calls are cheap and never block; they may come from job threads, the
 * settlement thread and the node payer's chain thread.
 */
public interface PaymentObserver {

    /** Observes nothing: free mode, tests and standalone use. */
    PaymentObserver NOOP = new PaymentObserver() {};

    /**
     * A tenant voucher was verified and stored durably.
     *
     * @param channelId the tenant's channel
     * @param cumulativeAmount the voucher's cumulative amount
     * @param increment what it adds over the channel's previous latest voucher (&gt; 0)
     */
    default void voucherAccepted(BigInteger channelId, BigInteger cumulativeAmount, BigInteger increment) {}

    /** A tenant voucher was not counted. */
    default void voucherRejected(VoucherRejection reason) {}

    /** One redeem transaction of tenant vouchers reached its confirmations; one entry per voucher it redeemed. */
    default void redeemed(List<Redemption> redemptions) {}

    /** A settlement round failed: a redeem transaction reverted or timed out, or the chain could not be read. */
    default void redemptionFailed() {}

    /**
     * What tenants have promised in accepted vouchers and the gateway has not yet redeemed on chain,
     * over all channels; reported whenever it changes.
     */
    default void unredeemed(BigInteger baseUnits) {}

    /** A job holds tokens back: its tenant has a whole credit window unpaid. */
    default void jobPaused() {}

    /** A job ended FAILED_PRECONDITION because its tenant sent no voucher within the payment timeout. */
    default void jobCutOff() {}

    /**
     * The gateway signed a voucher for a node.
     *
     * @param increment what it promises over the previous voucher for that node (&gt; 0)
     */
    default void nodeVoucherSigned(BigInteger increment) {}
}
