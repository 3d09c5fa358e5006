package io.gridshare.chain.settlement;

import io.gridshare.chain.ChainException;
import io.gridshare.chain.InvalidVoucherException;
import io.gridshare.chain.InvalidVoucherException.Reason;
import io.gridshare.chain.contracts.Channel;
import io.gridshare.chain.contracts.ChannelEvents;
import io.gridshare.chain.contracts.PaymentChannelsClient;
import io.gridshare.chain.voucher.Voucher;
import io.gridshare.chain.voucher.Vouchers;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * Settlement for one payee (a gateway or a node): accepts vouchers from its payers, keeps the
 * latest per channel durably ({@link VoucherStore}), and redeems them in batches
 * ({@code redeemMany}) when {@link SettlementPolicy} says it is worth the gas.
 *
 * <p>What is redeemable is always computed from the channel's on-chain {@code redeemed}, never from
 * local bookkeeping, so after a restart (or a crash between sending and recording) nothing is
 * redeemed twice, and everything accepted before the restart is still redeemed.
 */
public final class SettlementService implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SettlementService.class.getName());
    private static final String REPORT_FILE = "redemptions.log";

    private final PaymentChannelsClient channels;
    private final String payee;
    private final VoucherStore store;
    private final SettlementPolicy policy;
    private final Path report;
    private final Map<BigInteger, Channel> known = new ConcurrentHashMap<>();
    private final List<SettlementListener> listeners = new CopyOnWriteArrayList<>();

    /**
     * @param channels PaymentChannels client signing as the payee (it pays the redeem gas)
     * @param directory where vouchers and the redemption report are kept
     */
    public SettlementService(PaymentChannelsClient channels, String payee, Path directory, SettlementPolicy policy) {
        this.channels = channels;
        this.payee = payee;
        this.store = new VoucherStore(directory);
        this.policy = policy;
        this.report = directory.resolve(REPORT_FILE);
    }

    public void addListener(SettlementListener listener) {
        listeners.add(listener);
    }

    /**
     * Verifies a voucher against its channel and stores it durably if it is higher than the latest.
     *
     * @throws InvalidVoucherException (nothing stored) when the channel is unknown, closed or not
     *     ours, the signature is malformed or not the channel signer's (or for another chain or
     *     contract), the amount exceeds the deposit, or it is not above the stored voucher
     */
    public synchronized void accept(Voucher voucher) {
        Channel channel = channelFor(voucher);
        if (!channel.payee().toLowerCase(Locale.ROOT).equals(payee.toLowerCase(Locale.ROOT))) {
            throw new InvalidVoucherException(Reason.WRONG_PAYEE, "Channel " + voucher.channelId() + " pays "
                    + channel.payee() + ", not this service's payee " + payee);
        }
        Optional<Voucher> stored = store.latest(voucher.channelId());
        if (stored.isPresent() && voucher.cumulativeAmount().compareTo(stored.get().cumulativeAmount()) <= 0) {
            throw new InvalidVoucherException(Reason.NOT_HIGHER, "Voucher for channel " + voucher.channelId() + " is for "
                    + voucher.cumulativeAmount() + ", not above the stored " + stored.get().cumulativeAmount());
        }
        channels.check(voucher, channel);
        store.put(voucher);
    }

    /** The channel, from cache unless the voucher needs a fresher deposit (a top-up) or state. */
    private Channel channelFor(Voucher voucher) {
        Channel cached = known.get(voucher.channelId());
        if (cached != null && voucher.cumulativeAmount().compareTo(cached.deposit()) <= 0 && !cached.closing()) {
            return cached;
        }
        Channel fresh = channels.channel(voucher.channelId());
        if (fresh.exists()) {
            known.put(voucher.channelId(), fresh);
        }
        return fresh;
    }

    /** The latest accepted voucher of a channel. */
    public Optional<Voucher> latest(BigInteger channelId) {
        return store.latest(channelId);
    }

    /** The latest accepted voucher of every channel. */
    public List<Voucher> all() {
        return store.all();
    }

    /** Redeems the batches the policy deems worth it (and every closing channel); returns what was redeemed. */
    public List<Redemption> settle() {
        return settle(false);
    }

    /** Redeems everything redeemable regardless of the policy's thresholds. */
    public List<Redemption> settleAll() {
        return settle(true);
    }

    private synchronized List<Redemption> settle(boolean force) {
        Map<String, List<Candidate>> byToken = new TreeMap<>();
        for (Voucher voucher : store.all()) {
            Channel channel = channels.channel(voucher.channelId());
            known.put(voucher.channelId(), channel);
            BigInteger redeemable = channel.closed() ? BigInteger.ZERO : channel.redeemable(voucher.cumulativeAmount());
            if (redeemable.signum() > 0) {
                byToken.computeIfAbsent(channel.token().toLowerCase(Locale.ROOT), t -> new ArrayList<>())
                        .add(new Candidate(voucher, channel, redeemable));
            }
        }
        if (byToken.isEmpty()) {
            return List.of();
        }
        BigInteger gasPrice = force ? BigInteger.ZERO : channels.gasPrice();
        List<Redemption> all = new ArrayList<>();
        for (List<Candidate> candidates : byToken.values()) {
            candidates.sort(Comparator.comparing(c -> c.voucher().channelId()));
            BigInteger total = candidates.stream().map(Candidate::redeemable).reduce(BigInteger.ZERO, BigInteger::add);
            List<Candidate> chosen = force || policy.worthIt(total, candidates.size(), gasPrice)
                    ? candidates
                    : candidates.stream().filter(c -> c.channel().closing()).toList();
            for (int from = 0; from < chosen.size(); from += policy.maxBatchSize()) {
                List<Candidate> batch = chosen.subList(from, Math.min(chosen.size(), from + policy.maxBatchSize()));
                all.addAll(redeem(batch));
            }
        }
        return all;
    }

    private record Candidate(Voucher voucher, Channel channel, BigInteger redeemable) {
    }

    private List<Redemption> redeem(List<Candidate> batch) {
        List<Voucher> vouchers = batch.stream().map(Candidate::voucher).toList();
        TransactionReceipt receipt = vouchers.size() == 1
                ? channels.redeem(vouchers.get(0))
                : channels.redeemMany(vouchers);
        List<Redemption> redemptions = ChannelEvents.redeemed(receipt, channels.address()).stream()
                .map(e -> new Redemption(e.channelId(), e.cumulativeAmount(), e.paidToPayee(), e.fee(),
                        e.transactionHash(), e.blockNumber()))
                .toList();
        record(redemptions);
        for (SettlementListener listener : listeners) {
            try {
                listener.redeemed(redemptions);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "Settlement listener failed: " + e.getMessage(), e);
            }
        }
        return redemptions;
    }

    private void record(List<Redemption> redemptions) {
        StringBuilder lines = new StringBuilder();
        for (Redemption r : redemptions) {
            lines.append(r.channelId()).append(' ').append(r.cumulativeAmount()).append(' ').append(r.paidToPayee())
                    .append(' ').append(r.fee()).append(' ').append(r.transactionHash()).append(' ').append(r.blockNumber())
                    .append('\n');
        }
        try {
            Files.writeString(report, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.SYNC);
        } catch (IOException e) {
            // the chain is the record of truth; the report is for people
            LOG.log(System.Logger.Level.WARNING, "Cannot append to " + report + ": " + e.getMessage());
        }
    }

    /** Every redemption this service has made, from its report file (survives restarts). */
    public List<Redemption> redemptions() {
        if (!Files.exists(report)) {
            return List.of();
        }
        try {
            return Files.readAllLines(report, StandardCharsets.UTF_8).stream()
                    .filter(l -> !l.isBlank())
                    .map(l -> l.split(" "))
                    .map(p -> new Redemption(new BigInteger(p[0]), new BigInteger(p[1]), new BigInteger(p[2]),
                            new BigInteger(p[3]), p[4], new BigInteger(p[5])))
                    .toList();
        } catch (IOException e) {
            throw new ChainException("Cannot read redemption report " + report + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        store.close();
    }
}
