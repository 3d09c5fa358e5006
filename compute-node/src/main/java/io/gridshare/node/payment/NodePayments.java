package io.gridshare.node.payment;

import io.gridshare.chain.ChainException;
import io.gridshare.chain.InvalidVoucherException;
import io.gridshare.chain.contracts.PaymentChannelsClient;
import io.gridshare.chain.settlement.Redemption;
import io.gridshare.chain.settlement.SettlementPolicy;
import io.gridshare.chain.settlement.SettlementService;
import io.gridshare.chain.voucher.Voucher;
import io.gridshare.node.link.PaymentListener;
import io.gridshare.proto.v1.ChannelRef;
import java.lang.System.Logger.Level;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's side of gateway → node payments: verifies every voucher a gateway sends over its link
 * (for this chain and PaymentChannels, signed by the channel's signer, paying this node's key, above
 * the latest, within the deposit) and keeps it in the node's own {@link SettlementService}, which
 * redeems in batches by its policy. Vouchers are handled on one thread of their own: the link's gRPC
 * thread never waits for the chain or the disk.
 */
public final class NodePayments implements PaymentListener, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(NodePayments.class.getName());

    private final PaymentChannelsClient channels;
    private final SettlementService settlement;
    private final String nodeKey;
    private final ScheduledExecutorService worker;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final Map<Rejection, AtomicLong> rejectedBy = new EnumMap<>(Rejection.class);
    private final AtomicLong redemptionTransactions = new AtomicLong();
    private final AtomicLong redemptionFailures = new AtomicLong();
    // highest cumulative amount redeemed per channel, from the report at start and each redemption since
    private final Map<BigInteger, BigInteger> redeemedUpTo = new HashMap<>();
    private BigInteger redeemedTotal = BigInteger.ZERO;
    private final AutoCloseable chain;

    /**
     * Why a voucher from a gateway was not kept: the chain adapter's reasons, a malformed amount, or a
     * chain that could not be read (not the gateway's fault). A fixed set: the {@code reason} label of
     * {@code gridshare_node_vouchers_rejected_total}.
     */
    public enum Rejection {
        MALFORMED_SIGNATURE, WRONG_SIGNER, WRONG_DOMAIN, EXCEEDS_DEPOSIT, NOT_HIGHER, CHANNEL_CLOSED,
        UNKNOWN_CHANNEL, WRONG_PAYEE, MALFORMED_AMOUNT, UNAVAILABLE;

        static Rejection of(InvalidVoucherException.Reason reason) {
            return valueOf(reason.name());
        }

        /** The label value: the name in lower case. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param channels PaymentChannels signing as the node key (the node pays its redeem gas)
     * @param nodeKey the node's address: payee of the channels gateways open to it
     * @param directory the settlement directory ({@code GRIDSHARE_NODE_SETTLEMENT_DIR})
     * @param settleEvery how often the policy is asked whether to redeem; null: only on {@link #settleAll()}
     */
    public NodePayments(PaymentChannelsClient channels, String nodeKey, Path directory, SettlementPolicy policy,
                        Duration settleEvery) {
        this(channels, nodeKey, directory, policy, settleEvery, () -> { });
    }

    /**
     * As above, owning {@code chain}: the connection {@code channels} talks through, closed last by
     * {@link #close()}, after the vouchers received so far are stored.
     */
    public NodePayments(PaymentChannelsClient channels, String nodeKey, Path directory, SettlementPolicy policy,
                        Duration settleEvery, AutoCloseable chain) {
        this.channels = channels;
        this.nodeKey = nodeKey;
        this.chain = chain;
        this.settlement = new SettlementService(channels, nodeKey, directory, policy);
        for (Rejection r : Rejection.values()) {
            rejectedBy.put(r, new AtomicLong());
        }
        countRedeemed(settlement.redemptions());
        settlement.addListener(batch -> {
            redemptionTransactions.incrementAndGet();
            countRedeemed(batch);
        });
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gridshare-node-payments");
            t.setDaemon(true);
            return t;
        });
        if (settleEvery != null) {
            long ms = Math.max(1, settleEvery.toMillis());
            worker.scheduleWithFixedDelay(this::settleQuietly, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void onVoucher(String gatewayId, String payee, io.gridshare.proto.v1.Voucher voucher) {
        worker.execute(() -> accept(gatewayId, voucher));
    }

    private void accept(String gatewayId, io.gridshare.proto.v1.Voucher proto) {
        try {
            settlement.accept(toVoucher(proto));
            accepted.incrementAndGet();
        } catch (InvalidVoucherException e) {
            rejected(Rejection.of(e.reason()));
            if (e.reason() == InvalidVoucherException.Reason.NOT_HIGHER) {
                LOG.log(Level.DEBUG, "voucher from gateway {0} not above the latest: {1}", gatewayId, e.getMessage());
            } else {
                LOG.log(Level.WARNING, "voucher from gateway {0} rejected: {1}", gatewayId, e.getMessage());
            }
        } catch (ChainException | IllegalArgumentException e) {
            rejected(e instanceof ChainException ? Rejection.UNAVAILABLE : Rejection.MALFORMED_AMOUNT);
            LOG.log(Level.WARNING, "voucher from gateway " + gatewayId + " not stored: " + e.getMessage(), e);
        }
    }

    private void rejected(Rejection reason) {
        rejected.incrementAndGet();
        rejectedBy.get(reason).incrementAndGet();
    }

    private synchronized void countRedeemed(List<Redemption> redemptions) {
        for (Redemption r : redemptions) {
            redeemedTotal = redeemedTotal.add(r.paidToPayee()).add(r.fee());
            redeemedUpTo.merge(r.channelId(), r.cumulativeAmount(), BigInteger::max);
        }
    }

    private Voucher toVoucher(io.gridshare.proto.v1.Voucher proto) {
        ChannelRef ref = proto.getChannel();
        if (ref.getChainId() != channels.domain().chainId() || !ref.getContract().equalsIgnoreCase(channels.address())) {
            throw new InvalidVoucherException(InvalidVoucherException.Reason.UNKNOWN_CHANNEL, "voucher names chain "
                    + ref.getChainId() + ", PaymentChannels " + ref.getContract() + "; this node is paid on chain "
                    + channels.domain().chainId() + ", PaymentChannels " + channels.address());
        }
        BigInteger amount = new BigInteger(proto.getCumulativeAmount().getBaseUnits());
        return new Voucher(new BigInteger(ref.getChannelId()), amount, proto.getSignature().toByteArray());
    }

    /** Lets every voucher received so far be verified and stored (tests, shutdown). */
    public void flush() {
        try {
            CompletableFuture.runAsync(() -> { }, worker).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("vouchers were not processed in time: " + e, e);
        }
    }

    private void settleQuietly() {
        try {
            settlement.settle();
        } catch (RuntimeException e) {
            redemptionFailures.incrementAndGet();
            LOG.log(Level.WARNING, "settlement round failed (retried next round): " + e.getMessage(), e);
        }
    }

    /** Redeems what the policy deems worth it now. */
    public List<Redemption> settle() {
        return submit(settlement::settle);
    }

    /** Redeems every stored voucher regardless of the policy (an operator's sweep). */
    public List<Redemption> settleAll() {
        return submit(settlement::settleAll);
    }

    private List<Redemption> submit(java.util.concurrent.Callable<List<Redemption>> task) {
        try {
            return worker.submit(task).get(120, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            redemptionFailures.incrementAndGet();
            throw e.getCause() instanceof RuntimeException r ? r : new ChainException(e.getCause().toString(), e);
        } catch (Exception e) {
            throw new ChainException("settlement did not finish: " + e, e);
        }
    }

    /** The node's address these payments are for. */
    public String nodeKey() {
        return nodeKey.toLowerCase(Locale.ROOT);
    }

    /** Σ over channels of the latest voucher: everything gateways have promised this node. */
    public BigInteger earned() {
        return settlement.all().stream().map(Voucher::cumulativeAmount).reduce(BigInteger.ZERO, BigInteger::add);
    }

    /** Σ of what this node's redemptions took out of channels (its payout plus the protocol fee). */
    public synchronized BigInteger redeemed() {
        return redeemedTotal;
    }

    /**
     * What gateways promised this node and it has not redeemed yet: per channel the latest voucher
     * less the highest amount redeemed. A channel its gateway closed before the node redeemed stays
     * counted: that pay is lost, and this is where the operator sees it.
     */
    public synchronized BigInteger unredeemed() {
        BigInteger held = BigInteger.ZERO;
        for (Voucher v : settlement.all()) {
            held = held.add(v.cumulativeAmount().subtract(redeemedUpTo.getOrDefault(v.channelId(), BigInteger.ZERO))
                    .max(BigInteger.ZERO));
        }
        return held;
    }

    /** Σ of what this node received on redeem (after the protocol fee). */
    public BigInteger paidOut() {
        return settlement.redemptions().stream().map(Redemption::paidToPayee).reduce(BigInteger.ZERO, BigInteger::add);
    }

    public long vouchersAccepted() {
        return accepted.get();
    }

    public long vouchersRejected() {
        return rejected.get();
    }

    /** Vouchers rejected for {@code reason}. */
    public long vouchersRejected(Rejection reason) {
        return rejectedBy.get(reason).get();
    }

    /** Redeem transactions that reached their confirmations. */
    public long redemptionTransactions() {
        return redemptionTransactions.get();
    }

    /** Settlement rounds (scheduled or asked for) that failed: a redeem reverted or timed out, or no chain. */
    public long redemptionFailures() {
        return redemptionFailures.get();
    }

    public SettlementService settlement() {
        return settlement;
    }

    /**
     * Stops in order: the vouchers received so far are verified and stored (a running settlement
     * round finishes), the voucher store is closed, then the chain connection. Nothing is redeemed on
     * the way out: stored vouchers are redeemed after the restart, or by {@link #settleAll()}.
     */
    @Override
    public void close() {
        worker.shutdown();
        try {
            if (!worker.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "vouchers still being handled after 30 s; closing the settlement anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        settlement.close();
        try {
            chain.close();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "closing the chain connection failed: " + e.getMessage(), e);
        }
    }
}
