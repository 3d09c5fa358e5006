package io.gridshare.gateway.payment;

import com.google.protobuf.ByteString;
import io.gridshare.chain.contracts.Channel;
import io.gridshare.chain.contracts.GridTokenClient;
import io.gridshare.chain.contracts.PaymentChannelsClient;
import io.gridshare.chain.settlement.VoucherStore;
import io.gridshare.chain.voucher.Voucher;
import io.gridshare.chain.voucher.Vouchers;
import io.gridshare.gateway.job.NodeChannel;
import io.gridshare.gateway.link.NodeLinks;
import io.gridshare.proto.v1.Amount;
import io.gridshare.proto.v1.ChannelRef;
import java.lang.System.Logger.Level;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
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
 *
 * <p>A voucher reaches the node wherever its link is (this member, or another member through the
 * cluster). Per node the payer remembers the highest amount handed to a live link; every
 * {@code redeliverEvery}, and whenever a node links to any member, it sends the latest signed voucher
 * again to each node that has not been handed it (vouchers are cumulative: a node ignores one that is
 * not higher than what it holds). A node that stays away is tried less and less often (the interval
 * doubles up to {@link #MAX_REDELIVERY_BACKOFF}), so the nodes a gateway ever paid cost little once
 * gone; its linking again, anywhere, sends the voucher at once. So the final voucher of a job reaches a node that was down or
 * between links when it was signed, and one signed before a gateway restart reaches it after.
 */
public final class NodePayer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(NodePayer.class.getName());
    /** How often vouchers not yet handed to a node's link are sent again, unless configured. */
    public static final Duration DEFAULT_REDELIVERY = Duration.ofSeconds(3);
    /** The longest wait between two tries for a node that stays unreachable (until it links again). */
    public static final Duration MAX_REDELIVERY_BACKOFF = Duration.ofMinutes(1);

    private final PaymentChannelsClient channels;
    private final GridTokenClient token;
    private final Credentials gatewayKey;
    private final BigInteger deposit;
    private final BigInteger topUpBelow;
    private final int voucherEveryTokens;
    private final long redeliverEveryNanos;
    private final VoucherStore signed;
    private final ScheduledExecutorService chainThread = Executors.newSingleThreadScheduledExecutor(r -> {
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
        this(channels, token, gatewayKey, deposit, topUpBelow, voucherEveryTokens, directory, DEFAULT_REDELIVERY);
    }

    /**
     * @param redeliverEvery how often a voucher not yet handed to its node's link is sent again
     *     ({@code gridshare.payment.node-voucher-redelivery})
     */
    public NodePayer(PaymentChannelsClient channels, GridTokenClient token, Credentials gatewayKey, BigInteger deposit,
                     BigInteger topUpBelow, int voucherEveryTokens, Path directory, Duration redeliverEvery) {
        this.channels = channels;
        this.token = token;
        this.gatewayKey = gatewayKey;
        this.deposit = deposit;
        this.topUpBelow = topUpBelow;
        this.voucherEveryTokens = Math.max(1, voucherEveryTokens);
        this.signed = new VoucherStore(directory);
        restore();
        long every = Math.max(10, redeliverEvery.toMillis());
        this.redeliverEveryNanos = TimeUnit.MILLISECONDS.toNanos(every);
        chainThread.scheduleWithFixedDelay(this::redeliver, every, every, TimeUnit.MILLISECONDS);
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
                        a.latest = proto(v);
                    }
                }
            }
        }
    }

    void useLinks(Function<String, Optional<NodeChannel>> lookup) {
        this.links = lookup;
        if (lookup instanceof NodeLinks nodeLinks) {
            nodeLinks.onLinked(this::nodeLinked);
        }
    }

    /**
     * {@code nodeId} linked to a gateway member (this one or another): its new link has been sent
     * nothing yet, so it gets its latest voucher again, and so does every node still waiting for one.
     */
    public void nodeLinked(String nodeId) {
        try {
            chainThread.execute(() -> {
                NodeAccount a = accounts.get(lower(nodeId));
                if (a != null) {
                    deliver(a, true);
                }
                redeliver();
            });
        } catch (RejectedExecutionException closed) {
            // the payer is closed: nothing is sent any more
        }
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

    /** The highest voucher amount handed to {@code nodeId}'s link so far (cumulative; zero after a restart). */
    public BigInteger deliveredTo(String nodeId) {
        NodeAccount a = accounts.get(lower(nodeId));
        if (a == null) {
            return BigInteger.ZERO;
        }
        synchronized (a) {
            return a.delivered;
        }
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
                a.latest = proto(v);
                a.tokensSinceVoucher = 0;
            }
            deliver(a, false);
        } catch (RuntimeException e) {
            synchronized (a) {
                a.opening = false;
            }
            LOG.log(Level.WARNING, "paying node " + a.nodeId + " failed (retried with its next tokens): " + e, e);
        }
    }

    /**
     * On the chain thread: hands the node's latest voucher to its link, wherever that is, unless a link
     * already took it ({@code again}: even then; a new link has been sent nothing). A node linked nowhere
     * now gets it from {@link #redeliver} or {@link #nodeLinked}.
     */
    private void deliver(NodeAccount a, boolean again) {
        io.gridshare.proto.v1.Voucher latest;
        BigInteger amount;
        synchronized (a) {
            latest = a.latest;
            amount = a.sent;
            if (latest == null || !again && amount.compareTo(a.delivered) <= 0) {
                return;
            }
        }
        boolean handed;
        try {
            handed = links.apply(a.nodeId).map(link -> link.pay(latest)).orElse(false);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "sending node " + a.nodeId + " its voucher failed (sent again later): " + e, e);
            handed = false;
        }
        synchronized (a) {
            if (handed) {
                a.delivered = a.delivered.max(amount);
                a.misses = 0;
                return;
            }
            // the next scheduled try waits redeliverEvery × 2^(misses − 1), at most the backoff cap; half
            // a tick early, so that the schedule's tick at that time finds it due
            a.misses++;
            long cap = Math.max(redeliverEveryNanos, MAX_REDELIVERY_BACKOFF.toNanos());
            long wait = redeliverEveryNanos;
            for (int i = 1; i < a.misses && wait < cap; i++) {
                wait *= 2;
            }
            a.nextTryNanos = System.nanoTime() + Math.min(wait, cap) - redeliverEveryNanos / 2;
            if (!amount.equals(a.undeliveredReported)) {
                a.undeliveredReported = amount;
                LOG.log(Level.INFO, "node {0} is not linked to any gateway member now; its voucher for {1} goes"
                        + " out again when it links", a.nodeId, amount);
            }
        }
    }

    /** On the chain thread: sends each node the voucher it has not been handed yet, when its try is due. */
    private void redeliver() {
        long now = System.nanoTime();
        for (NodeAccount a : accounts.values()) {
            boolean due;
            synchronized (a) {
                due = a.misses == 0 || now - a.nextTryNanos >= 0;
            }
            if (due) {
                deliver(a, false);
            }
        }
    }

    private io.gridshare.proto.v1.Voucher proto(Voucher v) {
        return io.gridshare.proto.v1.Voucher.newBuilder()
                .setChannel(ChannelRef.newBuilder().setChainId(channels.domain().chainId())
                        .setContract(channels.address()).setChannelId(v.channelId().toString()))
                .setCumulativeAmount(Amount.newBuilder().setBaseUnits(v.cumulativeAmount().toString()))
                .setSignature(ByteString.copyFrom(v.signature())).build();
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
        /** The highest amount handed to a live link of the node. */
        BigInteger delivered = BigInteger.ZERO;
        /** The signed voucher for {@link #sent}, as the node receives it. */
        io.gridshare.proto.v1.Voucher latest;
        BigInteger undeliveredReported;
        /** Tries in a row that no link took, and when the schedule tries again. */
        int misses;
        long nextTryNanos;
        long tokensSinceVoucher;
        boolean opening;

        NodeAccount(String nodeId) {
            this.nodeId = nodeId;
        }
    }

    /** Stops re-sending, lets the queued payments finish, and closes the voucher store. */
    @Override
    public void close() {
        chainThread.shutdown(); // cancels the re-delivery schedule; queued payments still run
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
