package io.gridshare.chain.contracts;

import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Event;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/** The PaymentChannels events, and decoding of the ones the adapter acts on. */
public final class ChannelEvents {
    public static final Event CHANNEL_OPENED = new Event("ChannelOpened", List.of(
            new TypeReference<Uint256>(true) { }, new TypeReference<Address>(true) { }, new TypeReference<Address>(true) { },
            new TypeReference<Address>() { }, new TypeReference<Address>() { }, new TypeReference<Uint256>() { }));
    public static final Event CHANNEL_TOPPED_UP = new Event("ChannelToppedUp", List.of(
            new TypeReference<Uint256>(true) { }, new TypeReference<Uint256>() { }, new TypeReference<Uint256>() { }));
    public static final Event VOUCHER_REDEEMED = new Event("VoucherRedeemed", List.of(
            new TypeReference<Uint256>(true) { }, new TypeReference<Address>(true) { }, new TypeReference<Uint256>() { },
            new TypeReference<Uint256>() { }, new TypeReference<Uint256>() { }));
    public static final Event CLOSE_STARTED = new Event("CloseStarted", List.of(
            new TypeReference<Uint256>(true) { }, new TypeReference<Uint64>() { }));
    public static final Event CHANNEL_CLOSED = new Event("ChannelClosed", List.of(
            new TypeReference<Uint256>(true) { }, new TypeReference<Uint256>() { }));

    public static final String CHANNEL_OPENED_TOPIC = EventEncoder.encode(CHANNEL_OPENED);
    public static final String VOUCHER_REDEEMED_TOPIC = EventEncoder.encode(VOUCHER_REDEEMED);
    public static final String CHANNEL_CLOSED_TOPIC = EventEncoder.encode(CHANNEL_CLOSED);
    public static final String CLOSE_STARTED_TOPIC = EventEncoder.encode(CLOSE_STARTED);
    public static final String CHANNEL_TOPPED_UP_TOPIC = EventEncoder.encode(CHANNEL_TOPPED_UP);

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
                .map(log -> Numeric.toBigInt(log.getTopics().get(1)))
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
        String data = Numeric.cleanHexPrefix(log.getData());
        return new VoucherRedeemed(Numeric.toBigInt(log.getTopics().get(1)),
                "0x" + Numeric.cleanHexPrefix(log.getTopics().get(2)).substring(24),
                new BigInteger(data.substring(0, 64), 16), new BigInteger(data.substring(64, 128), 16),
                new BigInteger(data.substring(128, 192), 16), log.getTransactionHash(), log.getBlockNumber());
    }

    private static boolean isFrom(Log log, String contract) {
        return log.getAddress() != null && log.getAddress().toLowerCase(Locale.ROOT).equals(contract.toLowerCase(Locale.ROOT));
    }

    private static String topic0(Log log) {
        return log.getTopics().isEmpty() ? "" : log.getTopics().get(0);
    }
}
