package io.gridshare.client;

import io.gridshare.chain.ChainException;
import io.gridshare.chain.contracts.Channel;
import io.gridshare.chain.contracts.ChannelEvents;
import io.gridshare.chain.contracts.GridTokenClient;
import io.gridshare.chain.contracts.GridshareContracts;
import io.gridshare.chain.contracts.PaymentChannelsClient;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.utils.Numeric;

/**
 * A tenant's channels on chain: open one to a gateway's payee, read its status (with the local
 * ledger's highest signed amount), top it up, close it. The contracts must sign as the payer.
 */
public final class ChannelManager {
    private final GridshareContracts contracts;
    private final Credentials payer;
    private final ChannelLedger ledger;

    /**
     * @param contracts contracts signing as {@code payer}
     * @param payer the tenant's funding key
     * @param ledger the ledger the tenant's client signs with (for status)
     */
    public ChannelManager(GridshareContracts contracts, Credentials payer, ChannelLedger ledger) {
        this.contracts = contracts.as(payer);
        this.payer = payer;
        this.ledger = ledger;
    }

    private PaymentChannelsClient channels() {
        return contracts.paymentChannels();
    }

    /** The key of channel {@code channelId} on this deployment. */
    public ChannelKey key(BigInteger channelId) {
        return new ChannelKey(contracts.deployment().chainId(), contracts.deployment().paymentChannels(), channelId);
    }

    /**
     * Opens a GRID channel to {@code payee} with {@code deposit}, vouchers signed by {@code signer}:
     * approve + open, or one openWithPermit transaction.
     *
     * @throws GridshareClientException when the payer's GRID balance is too low
     */
    public ChannelKey open(String payee, BigInteger deposit, String signer, boolean usePermit) {
        if (deposit.signum() <= 0) {
            throw new IllegalArgumentException("deposit must be positive, was " + deposit);
        }
        GridTokenClient grid = contracts.gridToken();
        requireBalance(grid, deposit, "open a channel with a deposit of");
        BigInteger id;
        if (usePermit) {
            // the chain's clock, not ours: they differ on test chains and when the local clock is off
            BigInteger deadline = chainTime().add(BigInteger.valueOf(3600));
            id = channels().openWithPermit(payee, grid, deposit, signer, payer, deadline);
        } else {
            grid.approve(channels().address(), deposit);
            id = channels().open(payee, grid.address(), deposit, signer);
        }
        return key(id);
    }

    private BigInteger chainTime() {
        return contracts.chain().send("eth_getBlockByNumber", contracts.chain().web3j()
                .ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false)).getBlock().getTimestamp();
    }

    /** Adds {@code amount} GRID to the channel's deposit (approve + topUp). */
    public ChannelStatus topUp(BigInteger channelId, BigInteger amount) {
        requireExists(channelId);
        GridTokenClient grid = contracts.gridToken();
        requireBalance(grid, amount, "top up by");
        grid.approve(channels().address(), amount);
        channels().topUp(channelId, amount);
        return status(channelId);
    }

    /** Starts closing: after the challenge period {@link #finalizeClose} returns the rest to the payer. */
    public ChannelStatus startClose(BigInteger channelId) {
        requireExists(channelId);
        channels().startClose(channelId);
        return status(channelId);
    }

    /** Finishes closing after the challenge period; the unspent deposit returns to the payer. */
    public ChannelStatus finalizeClose(BigInteger channelId) {
        requireExists(channelId);
        channels().finalizeClose(channelId);
        return status(channelId);
    }

    /** The channel's state and the local ledger. */
    public ChannelStatus status(BigInteger channelId) {
        Channel c = requireExists(channelId);
        ChannelKey key = key(channelId);
        BigInteger signed = ledger.highestSigned(key);
        BigInteger spent = signed.max(c.redeemed());
        BigInteger remaining = c.closed() ? BigInteger.ZERO : c.deposit().subtract(spent).max(BigInteger.ZERO);
        return new ChannelStatus(key, c.payer(), c.payee(), c.signer(), c.token(), c.deposit(), c.redeemed(), signed,
                remaining, c.closesAt(), c.closing(), c.closed());
    }

    /** The newest channel from this payer to {@code payee} that is open and not closing, if any. */
    public Optional<ChannelStatus> findOpen(String payee) {
        List<BigInteger> ids = openedBy(payer.getAddress(), payee);
        for (int i = ids.size() - 1; i >= 0; i--) {
            ChannelStatus status = status(ids.get(i));
            if (!status.closed() && !status.closing()) {
                return Optional.of(status);
            }
        }
        return Optional.empty();
    }

    /**
     * Ids of the channels {@code payerAddress} opened to {@code payee}, oldest first (from ChannelOpened
     * logs). A null payer or payee matches any.
     */
    public List<BigInteger> openedBy(String payerAddress, String payee) {
        EthFilter filter = new EthFilter(DefaultBlockParameterName.EARLIEST, DefaultBlockParameterName.LATEST,
                channels().address());
        filter.addSingleTopic(ChannelEvents.CHANNEL_OPENED_TOPIC);
        filter.addNullTopic();
        addTopicOrAny(filter, payerAddress);
        addTopicOrAny(filter, payee);
        List<BigInteger> ids = new ArrayList<>();
        @SuppressWarnings("rawtypes")
        List<EthLog.LogResult> logs = contracts.chain().send("eth_getLogs", contracts.chain().web3j().ethGetLogs(filter)).getLogs();
        for (EthLog.LogResult<?> result : logs) {
            Log log = (Log) result.get();
            ids.add(Numeric.toBigInt(log.getTopics().get(1)));
        }
        return ids;
    }

    private static void addTopicOrAny(EthFilter filter, String address) {
        if (address == null) {
            filter.addNullTopic();
        } else {
            filter.addSingleTopic(topic(address));
        }
    }

    static String topic(String address) {
        return "0x" + "0".repeat(24) + Numeric.cleanHexPrefix(address).toLowerCase(Locale.ROOT);
    }

    private Channel requireExists(BigInteger channelId) {
        Channel c = channels().channel(channelId);
        if (!c.exists()) {
            throw new GridshareClientException("channel " + channelId + " does not exist on PaymentChannels "
                    + channels().address() + " (chain " + contracts.deployment().chainId() + ")",
                    "check the id (`gridshare channel status`) or open one with `gridshare channel open --deposit <GRID>`");
        }
        return c;
    }

    private void requireBalance(GridTokenClient grid, BigInteger amount, String what) {
        BigInteger balance = grid.balanceOf(payer.getAddress());
        if (balance.compareTo(amount) < 0) {
            throw new GridshareClientException("insufficient GRID balance: " + payer.getAddress() + " holds "
                    + Amounts.format(balance) + " GRID, cannot " + what + " " + Amounts.format(amount) + " GRID",
                    "get GRID into this account (on the local network every anvil dev account holds 1,000,000 GRID) "
                            + "or use a smaller amount");
        }
    }

    /** Whether an exception is a chain failure worth a readable message. */
    static boolean isChain(Throwable t) {
        return t instanceof ChainException;
    }
}
