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
import java.util.List;
import java.util.Locale;
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

    /**
     * @param channels PaymentChannels signing as the node key (the node pays its redeem gas)
     * @param nodeKey the node's address: payee of the channels gateways open to it
     * @param directory the settlement directory ({@code GRIDSHARE_NODE_SETTLEMENT_DIR})
     * @param settleEvery how often the policy is asked whether to redeem; null: only on {@link #settleAll()}
     */
    public NodePayments(PaymentChannelsClient channels, String nodeKey, Path directory, SettlementPolicy policy,
                        Duration settleEvery) {
        this.channels = channels;
        this.nodeKey = nodeKey;
        this.settlement = new SettlementService(channels, nodeKey, directory, policy);
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
            rejected.incrementAndGet();
            if (e.reason() == InvalidVoucherException.Reason.NOT_HIGHER) {
                LOG.log(Level.DEBUG, "voucher from gateway {0} not above the latest: {1}", gatewayId, e.getMessage());
            } else {
                LOG.log(Level.WARNING, "voucher from gateway {0} rejected: {1}", gatewayId, e.getMessage());
            }
        } catch (ChainException | IllegalArgumentException e) {
            rejected.incrementAndGet();
            LOG.log(Level.WARNING, "voucher from gateway " + gatewayId + " not stored: " + e.getMessage(), e);
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
    public BigInteger redeemed() {
        return settlement.redemptions().stream().map(r -> r.paidToPayee().add(r.fee()))
                .reduce(BigInteger.ZERO, BigInteger::add);
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

    public SettlementService settlement() {
        return settlement;
    }

    @Override
    public void close() {
        worker.shutdown();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        settlement.close();
    }
}
