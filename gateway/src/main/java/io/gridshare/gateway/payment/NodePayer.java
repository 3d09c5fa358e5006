package io.gridshare.gateway.payment;

import com.google.protobuf.ByteString;
import io.gridshare.chain.contracts.Channel;
import io.gridshare.chain.contracts.GridTokenClient;
import io.gridshare.chain.contracts.PaymentChannelsClient;
import io.gridshare.chain.settlement.VoucherStore;
import io.gridshare.chain.voucher.Voucher;
import io.gridshare.chain.voucher.Vouchers;
import io.gridshare.gateway.job.NodeChannel;
import io.gridshare.proto.v1.Amount;
import io.gridshare.proto.v1.ChannelRef;
import java.lang.System.Logger.Level;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.web3j.crypto.Credentials;

/**
 * Pays nodes for the tokens they produced (PAYMENTS.md, gateway → node): one channel per node,
 * payee = the node's key, payer and signer = the gateway's key, opened on the node's first tokens
 * and topped up when little of its deposit is left unpromised. Per node it keeps
 * {@code owedToNode = Σ tokens × nodePrice} and sends a voucher for it over the node's link every W
 * tokens the node produced and at each job end.
 *
 * <p>Every voucher the gateway signs is kept durably (a {@link VoucherStore} under
 * {@code <settlement-dir>/node-vouchers}) before it is sent: after a restart the gateway continues
 * each node's cumulative amount instead of signing a lower one. Chain transactions run on one
 * thread, off the job threads.
 */
public final class NodePayer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(NodePayer.class.getName());

    private final PaymentChannelsClient channels;
    private final GridTokenClient token;
    private final Credentials gatewayKey;
    private final BigInteger deposit;
    private final BigInteger topUpBelow;
    private final int voucherEveryTokens;
    private final VoucherStore signed;
    private final ExecutorService chainThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "gridshare-node-payer");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, NodeAccount> accounts = new ConcurrentHashMap<>();
    private volatile Function<String, Optional<NodeChannel>> links = id -> Optional.empty();

    /**
     * @param channels PaymentChannels signing as the gateway (opens and tops up node channels)
     * @param token the payment token, signing as the gateway (approves deposits)
     * @param gatewayKey signs the node vouchers
     * @param voucherEveryTokens W: a voucher every W tokens a node produced
     * @param directory where signed node vouchers are kept
     */
    public NodePayer(PaymentChannelsClient channels, GridTokenClient token, Credentials gatewayKey, BigInteger deposit,
                     BigInteger topUpBelow, int voucherEveryTokens, Path directory) {
        this.channels = channels;
        this.token = token;
        this.gatewayKey = gatewayKey;
        this.deposit = deposit;
        this.topUpBelow = topUpBelow;
        this.voucherEveryTokens = Math.max(1, voucherEveryTokens);
        this.signed = new VoucherStore(directory);
        restore();
    }

    /** Rebuilds each node's account from the vouchers signed before a restart (channel payee = node). */
    private void restore() {
        for (Voucher v : signed.all()) {
            Channel c = channels.channel(v.channelId());
            if (c.exists() && !c.closed() && c.signer().equalsIgnoreCase(gatewayKey.getAddress())) {
                NodeAccount a = accounts.computeIfAbsent(lower(c.payee()), NodeAccount::new);
                synchronized (a) {
                    if (a.channelId == null || v.cumulativeAmount().compareTo(a.owed) > 0) {
                        a.channelId = v.channelId();
                        a.deposit = c.deposit();
                        a.owed = v.cumulativeAmount();
                        a.sent = v.cumulativeAmount();
                    }
                }
            }
        }
    }

    void useLinks(Function<String, Optional<NodeChannel>> lookup) {
        this.links = lookup;
    }

    /** {@code nodeId} produced {@code tokens} more tokens at {@code nodePrice} each. */
    public void produced(String nodeId, int tokens, BigInteger nodePrice) {
        NodeAccount a = accounts.computeIfAbsent(lower(nodeId), NodeAccount::new);
        boolean due;
        synchronized (a) {
            a.owed = a.owed.add(nodePrice.multiply(BigInteger.valueOf(tokens)));
            a.tokensSinceVoucher += tokens;
            due = a.tokensSinceVoucher >= voucherEveryTokens || a.channelId == null && !a.opening;
            if (a.channelId == null) {
                a.opening = true;
            }
        }
        if (due) {
            chainThread.execute(() -> pay(a));
        }
    }

    /** A job ended: each of its nodes gets a voucher for everything it is owed. */
    public void jobEnded(Collection<String> nodeIds) {
        for (String nodeId : nodeIds) {
            NodeAccount a = accounts.get(lower(nodeId));
            if (a != null) {
                chainThread.execute(() -> pay(a));
            }
        }
    }

    /** What the gateway owes {@code nodeId} in total (cumulative, over all jobs). */
    public BigInteger owed(String nodeId) {
        NodeAccount a = accounts.get(lower(nodeId));
        if (a == null) {
            return BigInteger.ZERO;
        }
        synchronized (a) {
            return a.owed;
        }
    }

    /** The channel the gateway pays {@code nodeId} through, once opened. */
    public Optional<BigInteger> channelOf(String nodeId) {
        NodeAccount a = accounts.get(lower(nodeId));
        if (a == null) {
            return Optional.empty();
        }
        synchronized (a) {
            return Optional.ofNullable(a.channelId);
        }
    }

    /** The highest voucher signed for {@code nodeId} (cumulative). */
    public BigInteger signedFor(String nodeId) {
        return channelOf(nodeId).flatMap(signed::latest).map(Voucher::cumulativeAmount).orElse(BigInteger.ZERO);
    }

    /** Waits until every voucher and chain transaction queued so far is done (for shutdown and tests). */
    public void flush() {
        try {
            chainThread.submit(() -> { }).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("node payments did not finish: " + e, e);
        }
    }

    /** On the chain thread: opens or tops up the channel as needed, signs, stores and sends a voucher. */
    private void pay(NodeAccount a) {
        try {
            BigInteger owed;
            BigInteger channelId;
            BigInteger known;
            synchronized (a) {
                owed = a.owed;
                channelId = a.channelId;
                known = a.deposit;
            }
            if (channelId == null) {
                token.approve(channels.address(), deposit);
                channelId = channels.open(a.nodeId, token.address(), deposit, gatewayKey.getAddress());
                known = deposit;
                LOG.log(Level.INFO, "opened channel {0} to node {1} with deposit {2}", channelId, a.nodeId, deposit);
                synchronized (a) {
                    a.channelId = channelId;
                    a.deposit = known;
                    a.opening = false;
                }
            }
            if (known.subtract(owed).compareTo(topUpBelow) < 0) {
                BigInteger amount = deposit.max(owed.subtract(known).add(topUpBelow));
                token.approve(channels.address(), amount);
                channels.topUp(channelId, amount);
                known = known.add(amount);
                LOG.log(Level.INFO, "topped up channel {0} to node {1} by {2}", channelId, a.nodeId, amount);
                synchronized (a) {
                    a.deposit = known;
                }
            }
            BigInteger amount = owed.min(known);
            BigInteger previous;
            synchronized (a) {
                if (amount.compareTo(a.sent) <= 0) {
                    return; // nothing new to promise
                }
                previous = a.sent;
            }
            Voucher v = Vouchers.sign(channels.domain(), channelId, amount, gatewayKey);
            signed.put(v); // kept before it leaves: a restart continues from it
            observer.nodeVoucherSigned(amount.subtract(previous));
            synchronized (a) {
                a.sent = amount;
                a.tokensSinceVoucher = 0;
            }
            io.gridshare.proto.v1.Voucher proto = io.gridshare.proto.v1.Voucher.newBuilder()
                    .setChannel(ChannelRef.newBuilder().setChainId(channels.domain().chainId())
                            .setContract(channels.address()).setChannelId(channelId.toString()))
                    .setCumulativeAmount(Amount.newBuilder().setBaseUnits(amount.toString()))
                    .setSignature(ByteString.copyFrom(v.signature())).build();
            Optional<NodeChannel> link = links.apply(a.nodeId);
            if (link.isPresent()) {
                link.get().pay(proto);
            } else {
                // the node gets the same (cumulative) amount in its next voucher, or redeems an older one
                LOG.log(Level.INFO, "node {0} is not linked here; voucher for {1} kept for its next one",
                        a.nodeId, amount);
            }
        } catch (RuntimeException e) {
            synchronized (a) {
                a.opening = false;
            }
            LOG.log(Level.WARNING, "paying node " + a.nodeId + " failed (retried with its next tokens): " + e, e);
        }
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    private static final class NodeAccount {
        final String nodeId;
        BigInteger channelId;
        BigInteger deposit = BigInteger.ZERO;
        BigInteger owed = BigInteger.ZERO;
        BigInteger sent = BigInteger.ZERO;
        long tokensSinceVoucher;
        boolean opening;

        NodeAccount(String nodeId) {
            this.nodeId = nodeId;
        }
    }

    @Override
    public void close() {
        chainThread.shutdown();
        try {
            chainThread.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        signed.close();
    }

    // the metrics hook, kept at the end of the class: the payment logic above does not depend on it
    private volatile io.gridshare.gateway.observe.PaymentObserver observer =
            io.gridshare.gateway.observe.PaymentObserver.NOOP;

    /** Tells {@code observer} of every voucher signed for a node from now on. */
    public void observe(io.gridshare.gateway.observe.PaymentObserver observer) {
        this.observer = observer;
    }
}
