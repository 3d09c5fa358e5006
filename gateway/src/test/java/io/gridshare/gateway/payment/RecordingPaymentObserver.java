package io.gridshare.gateway.payment;

import io.gridshare.chain.settlement.Redemption;
import io.gridshare.gateway.observe.PaymentObserver;
import io.gridshare.gateway.observe.VoucherRejection;
import java.math.BigInteger;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Adds up what the payment side reports, as the metrics do; {@link #snapshot()} for before/after. */
final class RecordingPaymentObserver implements PaymentObserver {

    /** What was reported up to one moment. */
    record Snapshot(long accepted, Map<VoucherRejection, Long> rejected, BigInteger promised, BigInteger redeemed,
                    long redemptions, long redemptionsFailed, BigInteger unredeemed, long paused, long cutOff,
                    long nodeVouchers, BigInteger promisedToNodes) {

        long rejected(VoucherRejection reason) {
            return rejected.getOrDefault(reason, 0L);
        }

        long rejectedInAll() {
            return rejected.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private long accepted;
    private final Map<VoucherRejection, Long> rejected = new EnumMap<>(VoucherRejection.class);
    private BigInteger promised = BigInteger.ZERO;
    private BigInteger redeemed = BigInteger.ZERO;
    private long redemptions;
    private long redemptionsFailed;
    private BigInteger unredeemed = BigInteger.ZERO;
    private long paused;
    private long cutOff;
    private long nodeVouchers;
    private BigInteger promisedToNodes = BigInteger.ZERO;

    synchronized Snapshot snapshot() {
        return new Snapshot(accepted, new EnumMap<>(rejected), promised, redeemed, redemptions, redemptionsFailed,
                unredeemed, paused, cutOff, nodeVouchers, promisedToNodes);
    }

    @Override
    public synchronized void voucherAccepted(BigInteger channelId, BigInteger cumulativeAmount, BigInteger increment) {
        accepted++;
        promised = promised.add(increment);
    }

    @Override
    public synchronized void voucherRejected(VoucherRejection reason) {
        rejected.merge(reason, 1L, Long::sum);
    }

    @Override
    public synchronized void redeemed(List<Redemption> batch) {
        redemptions++;
        for (Redemption r : batch) {
            redeemed = redeemed.add(r.paidToPayee()).add(r.fee());
        }
    }

    @Override
    public synchronized void redemptionFailed() {
        redemptionsFailed++;
    }

    @Override
    public synchronized void unredeemed(BigInteger baseUnits) {
        unredeemed = baseUnits;
    }

    @Override
    public synchronized void jobPaused() {
        paused++;
    }

    @Override
    public synchronized void jobCutOff() {
        cutOff++;
    }

    @Override
    public synchronized void nodeVoucherSigned(BigInteger increment) {
        nodeVouchers++;
        promisedToNodes = promisedToNodes.add(increment);
    }
}
