package io.gridshare.gateway.payment;

import io.gridshare.chain.ChainException;
import io.gridshare.chain.InvalidVoucherException;
import io.gridshare.chain.contracts.Channel;
import io.gridshare.chain.contracts.PaymentChannelsClient;
import io.gridshare.chain.settlement.SettlementService;
import io.gridshare.gateway.job.JobMeter;
import io.gridshare.gateway.job.JobQuote;
import io.gridshare.gateway.job.MeterSession;
import io.gridshare.gateway.job.NodeChannel;
import io.gridshare.gateway.job.PaymentEvents;
import io.gridshare.gateway.observe.PaymentObserver;
import io.gridshare.gateway.observe.VoucherRejection;
import io.gridshare.proto.v1.Amount;
import io.gridshare.proto.v1.ChannelRef;
import io.gridshare.proto.v1.PaymentDue;
import io.gridshare.proto.v1.Voucher;
import io.grpc.Status;
import java.lang.System.Logger.Level;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Meters jobs against the tenants' payment channels (PAYMENTS.md): checks the channel when a job
 * starts, asks for a voucher every W/2 unpaid tokens and at the end, verifies each voucher and stores
 * it durably in the gateway's {@link SettlementService} before it counts, holds tokens back while a
 * job has W unpaid tokens, and ends a job whose tenant stops paying. The nodes that produced the
 * tokens are paid through {@link NodePayer}.
 */
public final class ChannelJobMeter implements JobMeter {

    private static final System.Logger LOG = System.getLogger(ChannelJobMeter.class.getName());

    private final PaymentChannelsClient channels;
    private final SettlementService settlement;
    private final String gatewayAddress;
    private final String paymentToken;
    private final NodePayer nodePayer;
    private final PaymentSettings settings;
    private final ScheduledExecutorService timers;
    private final Clock clock;
    private final PaymentObserver observer;
    private final Map<BigInteger, ChannelAccount> accounts = new ConcurrentHashMap<>();

    /**
     * @param channels PaymentChannels (reads the tenants' channels)
     * @param settlement the gateway's settlement service (payee = {@code gatewayAddress})
     * @param gatewayAddress the gateway's key: payee of tenant channels
     * @param paymentToken the ERC-20 tenant channels must hold (GRID)
     * @param nodePayer pays nodes for the tokens they produced
     * @param timers runs payment deadlines
     */
    public ChannelJobMeter(PaymentChannelsClient channels, SettlementService settlement, String gatewayAddress,
                           String paymentToken, NodePayer nodePayer, PaymentSettings settings,
                           ScheduledExecutorService timers, Clock clock) {
        this(channels, settlement, gatewayAddress, paymentToken, nodePayer, settings, timers, clock,
                PaymentObserver.NOOP);
    }

    /**
     * As above, telling {@code observer} of every voucher accepted or refused and every job paused or
     * cut off for want of a voucher.
     */
    public ChannelJobMeter(PaymentChannelsClient channels, SettlementService settlement, String gatewayAddress,
                           String paymentToken, NodePayer nodePayer, PaymentSettings settings,
                           ScheduledExecutorService timers, Clock clock, PaymentObserver observer) {
        this.channels = channels;
        this.settlement = settlement;
        this.gatewayAddress = gatewayAddress;
        this.paymentToken = paymentToken;
        this.nodePayer = nodePayer;
        this.settings = settings;
        this.timers = timers;
        this.clock = clock;
        this.observer = observer;
    }

    @Override
    public Optional<String> payee() {
        return Optional.of(gatewayAddress);
    }

    @Override
    public void useLinks(Function<String, Optional<NodeChannel>> links) {
        nodePayer.useLinks(links);
    }

    @Override
    public MeterSession open(JobQuote quote) {
        return open(quote, () -> { });
    }

    @Override
    public MeterSession open(JobQuote quote, PaymentEvents events) {
        ChannelRef ref = quote.channel();
        if (ref == null || ref.getChannelId().isEmpty()) {
            throw Status.FAILED_PRECONDITION.withDescription("this gateway serves paid jobs only: name your channel "
                    + "in GenerateRequest.channel (open one to " + gatewayAddress + " on PaymentChannels "
                    + channels.address() + ", chain " + channels.domain().chainId() + ")").asRuntimeException();
        }
        BigInteger channelId = parseChannel(ref);
        ChannelAccount account = accounts.computeIfAbsent(channelId, ChannelAccount::new);
        account.check(quote);
        return new Session(quote, account, events);
    }

    private BigInteger parseChannel(ChannelRef ref) {
        if (ref.getChainId() != channels.domain().chainId()
                || !ref.getContract().equalsIgnoreCase(channels.address())) {
            throw Status.FAILED_PRECONDITION.withDescription("channel " + ref.getChannelId() + " is on chain "
                    + ref.getChainId() + ", PaymentChannels " + ref.getContract() + "; this gateway is paid on chain "
                    + channels.domain().chainId() + ", PaymentChannels " + channels.address()
                    + ": open a channel there to " + gatewayAddress).asRuntimeException();
        }
        try {
            BigInteger id = new BigInteger(ref.getChannelId());
            if (id.signum() < 0) {
                throw new NumberFormatException("negative");
            }
            return id;
        } catch (NumberFormatException e) {
            throw Status.INVALID_ARGUMENT.withDescription("channel.channel_id must be a base-10 integer, was '"
                    + ref.getChannelId() + "'").asRuntimeException();
        }
    }

    /** What the tenant owes on one channel over all its jobs on this gateway, and its latest voucher. */
    private final class ChannelAccount {
        private final BigInteger channelId;
        private Channel state;
        private Instant checkedAt = Instant.EPOCH;
        private BigInteger owed;
        private BigInteger latest;

        ChannelAccount(BigInteger channelId) {
            this.channelId = channelId;
        }

        /** Exists, open, pays this gateway, in the payment token, and holds one window more than promised. */
        synchronized void check(JobQuote quote) {
            Instant now = clock.instant();
            if (state == null || Duration.between(checkedAt, now).compareTo(settings.channelCheckTtl()) > 0) {
                try {
                    state = channels.channel(channelId);
                } catch (ChainException e) {
                    throw Status.UNAVAILABLE.withDescription("cannot read channel " + channelId
                            + " on chain now: " + e.getMessage() + "; retry shortly").withCause(e).asRuntimeException();
                }
                checkedAt = now;
            }
            if (owed == null) {
                // after a restart, the tenant has paid exactly what the latest stored voucher says
                BigInteger stored = settlement.latest(channelId).map(v -> v.cumulativeAmount()).orElse(BigInteger.ZERO);
                latest = stored.max(state.exists() ? state.redeemed() : BigInteger.ZERO);
                owed = latest;
            }
            String problem = null;
            if (!state.exists()) {
                problem = "channel " + channelId + " does not exist; open a channel to " + gatewayAddress;
            } else if (state.closed() || state.closing()) {
                problem = "channel " + channelId + " is " + (state.closed() ? "closed" : "closing")
                        + "; open a new channel to " + gatewayAddress;
            } else if (!state.payee().equalsIgnoreCase(gatewayAddress)) {
                problem = "channel " + channelId + " pays " + state.payee() + ", not this gateway; open a channel to "
                        + gatewayAddress;
            } else if (!state.token().equalsIgnoreCase(paymentToken)) {
                problem = "channel " + channelId + " holds token " + state.token() + "; this gateway accepts "
                        + paymentToken + ": open a channel in it to " + gatewayAddress;
            } else if (state.signer().equals("0x0000000000000000000000000000000000000000")) {
                problem = "channel " + channelId + " names no signer; open a channel with your voucher key as signer";
            } else {
                BigInteger window = quote.pricePerToken().multiply(BigInteger.valueOf(quote.creditWindowTokens()));
                BigInteger left = state.deposit().subtract(owed);
                if (left.compareTo(window) < 0) {
                    problem = "channel " + channelId + " has " + left.max(BigInteger.ZERO) + " left of its deposit "
                            + state.deposit() + "; one credit window (" + quote.creditWindowTokens() + " tokens × "
                            + quote.pricePerToken() + ") needs " + window + ": top up the channel";
                }
            }
            if (problem != null) {
                state = null; // read it again next time: the tenant may fix it
                throw Status.FAILED_PRECONDITION.withDescription(problem).asRuntimeException();
            }
        }

        synchronized void add(BigInteger amount) {
            owed = owed.add(amount);
        }

        synchronized BigInteger owed() {
            return owed;
        }

        /**
         * Verifies and durably stores a voucher; returns the increment it pays over the latest one, or
         * zero for a replayed (not higher) voucher.
         */
        synchronized BigInteger accept(io.gridshare.chain.voucher.Voucher voucher) {
            if (voucher.cumulativeAmount().compareTo(latest) <= 0) {
                LOG.log(Level.INFO, "voucher for {0} on channel {1} is not above the latest {2}; ignored",
                        voucher.cumulativeAmount(), channelId, latest);
                observer.voucherRejected(VoucherRejection.NOT_HIGHER);
                return BigInteger.ZERO;
            }
            settlement.accept(voucher); // fsynced before it counts
            BigInteger increment = voucher.cumulativeAmount().subtract(latest);
            latest = voucher.cumulativeAmount();
            observer.voucherAccepted(channelId, latest, increment);
            return increment;
        }
    }

    /** One job: its tokens sent, what its vouchers paid, and the deadline while it waits for one. */
    private final class Session implements MeterSession {
        private final JobQuote quote;
        private final ChannelAccount account;
        private final PaymentEvents events;
        private final BigInteger price;
        private final int window;
        private final int half;
        private long sent;
        private long sentAtLastDue;
        private BigInteger paid = BigInteger.ZERO;
        private Instant deadline;
        private ScheduledFuture<?> timer;
        private boolean closed;
        private boolean cutOff;
        private final java.util.Set<String> nodes = new java.util.LinkedHashSet<>();

        Session(JobQuote quote, ChannelAccount account, PaymentEvents events) {
            this.quote = quote;
            this.account = account;
            this.events = events;
            this.price = quote.pricePerToken();
            this.window = Math.max(1, quote.creditWindowTokens());
            this.half = (window + 1) / 2;
        }

        private long paidTokens() {
            return price.signum() == 0 ? Long.MAX_VALUE : paid.divide(price).longValue();
        }

        private long unpaid() {
            return price.signum() == 0 ? 0 : Math.max(0, sent - paidTokens());
        }

        @Override
        public long deliverableThrough() {
            if (price.signum() == 0) {
                return Long.MAX_VALUE;
            }
            long through = sent + (window - unpaid());
            if (through <= sent && arm()) {
                observer.jobPaused(); // the tenant has W unpaid tokens
            }
            return through;
        }

        @Override
        public Optional<PaymentDue> onDelivered(long cumulativeTokens, String nodeId, int tokens) {
            sent = cumulativeTokens;
            nodes.add(nodeId);
            BigInteger amount = price.multiply(BigInteger.valueOf(tokens));
            account.add(amount);
            nodePayer.produced(nodeId, tokens, quote.nodePricePerToken());
            if (price.signum() > 0 && unpaid() >= half && sent - sentAtLastDue >= half) {
                sentAtLastDue = sent;
                return Optional.of(due());
            }
            return Optional.empty();
        }

        private PaymentDue due() {
            return PaymentDue.newBuilder()
                    .setCumulativeAmount(Amount.newBuilder().setBaseUnits(account.owed().toString()))
                    .setTokensDelivered((int) Math.min(Integer.MAX_VALUE, sent)).build();
        }

        @Override
        public Optional<PaymentDue> onLastToken(long deliveredTokens) {
            sent = deliveredTokens;
            nodePayer.jobEnded(nodes);
            if (unpaid() == 0) {
                return Optional.empty();
            }
            arm();
            sentAtLastDue = sent;
            return Optional.of(due());
        }

        @Override
        public boolean paidFor(long deliveredTokens) {
            return price.signum() == 0 || paid.compareTo(price.multiply(BigInteger.valueOf(deliveredTokens))) >= 0;
        }

        @Override
        public void onVoucher(Voucher proto) {
            io.gridshare.chain.voucher.Voucher voucher = toVoucher(proto);
            BigInteger increment;
            try {
                increment = account.accept(voucher);
            } catch (InvalidVoucherException e) {
                observer.voucherRejected(VoucherRejection.of(e.reason()));
                throw Status.PERMISSION_DENIED.withDescription("voucher rejected: " + e.getMessage())
                        .asRuntimeException();
            } catch (ChainException e) {
                observer.voucherRejected(VoucherRejection.UNAVAILABLE);
                throw Status.UNAVAILABLE.withDescription("voucher could not be checked or stored: " + e.getMessage()
                        + "; retry the job shortly").asRuntimeException();
            }
            if (increment.signum() > 0) {
                paid = paid.add(increment);
                if (unpaid() < window) {
                    disarm();
                }
            }
        }

        private io.gridshare.chain.voucher.Voucher toVoucher(Voucher proto) {
            ChannelRef ref = proto.getChannel();
            ChannelRef job = quote.channel();
            if (ref.getChainId() != job.getChainId() || !ref.getContract().equalsIgnoreCase(job.getContract())
                    || !ref.getChannelId().equals(job.getChannelId())) {
                observer.voucherRejected(VoucherRejection.WRONG_CHANNEL);
                throw Status.PERMISSION_DENIED.withDescription("voucher rejected: it names channel "
                        + ref.getChannelId() + " (chain " + ref.getChainId() + ", " + ref.getContract()
                        + "), the job pays from channel " + job.getChannelId()).asRuntimeException();
            }
            BigInteger amount;
            try {
                amount = new BigInteger(proto.getCumulativeAmount().getBaseUnits());
            } catch (NumberFormatException e) {
                observer.voucherRejected(VoucherRejection.MALFORMED);
                throw Status.PERMISSION_DENIED.withDescription("voucher rejected: cumulative_amount '"
                        + proto.getCumulativeAmount().getBaseUnits() + "' is not a base-10 integer")
                        .asRuntimeException();
            }
            if (amount.signum() <= 0 || amount.bitLength() > 256) {
                observer.voucherRejected(VoucherRejection.MALFORMED);
                throw Status.PERMISSION_DENIED.withDescription("voucher rejected: cumulative_amount " + amount
                        + " is not a positive uint256").asRuntimeException();
            }
            return new io.gridshare.chain.voucher.Voucher(new BigInteger(job.getChannelId()), amount,
                    proto.getSignature().toByteArray());
        }

        @Override
        public BigInteger amountFor(long tokens) {
            return price.multiply(BigInteger.valueOf(tokens));
        }

        /** Starts the payment deadline (if not running); whether it started now. */
        private boolean arm() {
            if (deadline != null || closed) {
                return false;
            }
            deadline = clock.instant().plus(settings.paymentTimeout());
            timer = timers.schedule(events::checkPayment, settings.paymentTimeout().toMillis(), TimeUnit.MILLISECONDS);
            return true;
        }

        private void disarm() {
            deadline = null;
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }

        @Override
        public Optional<Status> overdue() {
            if (deadline == null || clock.instant().isBefore(deadline)) {
                return Optional.empty();
            }
            BigInteger missing = price.multiply(BigInteger.valueOf(sent)).subtract(paid);
            if (!cutOff) {
                cutOff = true; // the job ends on this answer; count it once
                observer.jobCutOff();
            }
            return Optional.of(Status.FAILED_PRECONDITION.withDescription("payment required: no voucher for "
                    + account.owed() + " (" + missing + " for this job's " + sent + " tokens) within "
                    + settings.paymentTimeout().toMillis() + " ms; channel " + quote.channel().getChannelId()
                    + " owes nothing beyond the tokens received"));
        }

        @Override
        public void close(long deliveredTokens) {
            if (closed) {
                return;
            }
            closed = true;
            disarm();
            nodePayer.jobEnded(nodes);
        }
    }

    /** Latest accepted cumulative amount per channel (for metrics and tests). */
    public Optional<BigInteger> latestVoucher(BigInteger channelId) {
        return settlement.latest(channelId).map(v -> v.cumulativeAmount());
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
