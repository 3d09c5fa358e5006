package io.gridshare.gateway.payment;

import io.gridshare.chain.settlement.Redemption;
import io.gridshare.chain.voucher.Voucher;
import io.gridshare.gateway.observe.PaymentObserver;
import io.gridshare.gateway.observe.VoucherRejection;
import java.math.BigInteger;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Passes the payment events on and adds what an operator alerts on: the value tenants promised in
 * accepted vouchers that the gateway has not redeemed yet. Per channel that is the latest accepted
 * cumulative amount less the highest cumulative amount redeemed; it starts from the settlement
 * service's stored vouchers and redemption report, so it survives a restart without a chain read.
 *
 * <p>A channel its tenant closed before the gateway redeemed it stays counted: that value is lost,
 * and the gauge is where an operator sees it.
 */
final class UnredeemedValue implements PaymentObserver {

    private final PaymentObserver delegate;
    private final Map<BigInteger, BigInteger> latest = new HashMap<>();
    private final Map<BigInteger, BigInteger> redeemed = new HashMap<>();
    private BigInteger total = BigInteger.ZERO;

    /**
     * @param stored the latest stored voucher of each channel
     * @param past every redemption made so far (the settlement service's report)
     */
    UnredeemedValue(Collection<Voucher> stored, Collection<Redemption> past, PaymentObserver delegate) {
        this.delegate = delegate;
        for (Redemption r : past) {
            redeemed.merge(r.channelId(), r.cumulativeAmount(), BigInteger::max);
        }
        for (Voucher v : stored) {
            latest.merge(v.channelId(), v.cumulativeAmount(), BigInteger::max);
        }
        latest.keySet().forEach(channel -> total = total.add(held(channel)));
        delegate.unredeemed(total);
    }

    private BigInteger held(BigInteger channel) {
        BigInteger l = latest.getOrDefault(channel, BigInteger.ZERO);
        return l.subtract(redeemed.getOrDefault(channel, BigInteger.ZERO)).max(BigInteger.ZERO);
    }

    /** The value held now, over all channels (base units). */
    synchronized BigInteger total() {
        return total;
    }

    @Override
    public void voucherAccepted(BigInteger channelId, BigInteger cumulativeAmount, BigInteger increment) {
        delegate.voucherAccepted(channelId, cumulativeAmount, increment);
        synchronized (this) {
            total = total.subtract(held(channelId));
            latest.merge(channelId, cumulativeAmount, BigInteger::max);
            total = total.add(held(channelId));
            // under the lock: two changes never report their totals out of order
            delegate.unredeemed(total);
        }
    }

    @Override
    public void redeemed(List<Redemption> redemptions) {
        delegate.redeemed(redemptions);
        synchronized (this) {
            for (Redemption r : redemptions) {
                total = total.subtract(held(r.channelId()));
                redeemed.merge(r.channelId(), r.cumulativeAmount(), BigInteger::max);
                total = total.add(held(r.channelId()));
            }
            delegate.unredeemed(total);
        }
    }

    @Override
    public void voucherRejected(VoucherRejection reason) {
        delegate.voucherRejected(reason);
    }

    @Override
    public void redemptionFailed() {
        delegate.redemptionFailed();
    }

    @Override
    public void unredeemed(BigInteger baseUnits) {
        delegate.unredeemed(baseUnits);
    }

    @Override
    public void jobPaused() {
        delegate.jobPaused();
    }

    @Override
    public void jobCutOff() {
        delegate.jobCutOff();
    }

    @Override
    public void nodeVoucherSigned(BigInteger increment) {
        delegate.nodeVoucherSigned(increment);
    }
}
