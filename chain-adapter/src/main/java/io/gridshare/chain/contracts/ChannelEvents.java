package io.gridshare.chain.contracts;

import io.gridshare.chain.contracts.generated.PaymentChannels;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.datatypes.Event;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/** The PaymentChannels events, and decoding of the ones the adapter acts on. */
public final class ChannelEvents {
    // the event definitions come from the wrapper generated from the forge artifact in this build:
    // an event whose shape changes in the contract breaks compilation here instead of decoding garbage
    public static final Event CHANNEL_OPENED = PaymentChannels.CHANNELOPENED_EVENT;
    public static final Event CHANNEL_TOPPED_UP = PaymentChannels.CHANNELTOPPEDUP_EVENT;
    public static final Event VOUCHER_REDEEMED = PaymentChannels.VOUCHERREDEEMED_EVENT;
    public static final Event CLOSE_STARTED = PaymentChannels.CLOSESTARTED_EVENT;
    public static final Event CHANNEL_CLOSED = PaymentChannels.CHANNELCLOSED_EVENT;
    public static final Event FEES_COLLECTED = PaymentChannels.FEESCOLLECTED_EVENT;

    public static final String CHANNEL_OPENED_TOPIC = EventEncoder.encode(CHANNEL_OPENED);
    public static final String VOUCHER_REDEEMED_TOPIC = EventEncoder.encode(VOUCHER_REDEEMED);
    public static final String CHANNEL_CLOSED_TOPIC = EventEncoder.encode(CHANNEL_CLOSED);
    public static final String CLOSE_STARTED_TOPIC = EventEncoder.encode(CLOSE_STARTED);
    public static final String CHANNEL_TOPPED_UP_TOPIC = EventEncoder.encode(CHANNEL_TOPPED_UP);
    public static final String FEES_COLLECTED_TOPIC = EventEncoder.encode(FEES_COLLECTED);

    /**
     * One VoucherRedeemed event.
     *
     * @param paidToPayee what the payee received
     * @param fee what went to the protocol
     */
    public record VoucherRedeemed(BigInteger channelId, String payee, BigInteger cumulativeAmount,
                                  BigInteger paidToPayee, BigInteger fee, String transactionHash, BigInteger blockNumber) {
    }

    private ChannelEvents() {
    }

    /** The id of the channel a receipt's ChannelOpened event announces. */
    public static Optional<BigInteger> openedChannelId(TransactionReceipt receipt, String contract) {
        return receipt.getLogs().stream()
                .filter(log -> isFrom(log, contract) && topic0(log).equals(CHANNEL_OPENED_TOPIC))
                .map(log -> PaymentChannels.getChannelOpenedEventFromLog(log).channelId)
                .findFirst();
    }

    /** The VoucherRedeemed events of a receipt. */
    public static List<VoucherRedeemed> redeemed(TransactionReceipt receipt, String contract) {
        return receipt.getLogs().stream()
                .filter(log -> isFrom(log, contract) && topic0(log).equals(VOUCHER_REDEEMED_TOPIC))
                .map(ChannelEvents::voucherRedeemed)
                .toList();
    }

    /** Decodes a VoucherRedeemed log. */
    public static VoucherRedeemed voucherRedeemed(Log log) {
        PaymentChannels.VoucherRedeemedEventResponse e = PaymentChannels.getVoucherRedeemedEventFromLog(log);
        return new VoucherRedeemed(e.channelId, e.payee, e.cumulativeAmount, e.paidToPayee, e.fee,
                log.getTransactionHash(), log.getBlockNumber());
    }

    private static boolean isFrom(Log log, String contract) {
        return log.getAddress() != null && log.getAddress().toLowerCase(Locale.ROOT).equals(contract.toLowerCase(Locale.ROOT));
    }

    private static String topic0(Log log) {
        return log.getTopics().isEmpty() ? "" : log.getTopics().get(0);
    }
}
