package io.gridshare.chain.contracts;

import io.gridshare.chain.ChainConnection;
import io.gridshare.chain.ChainException;
import io.gridshare.chain.InvalidVoucherException;
import io.gridshare.chain.InvalidVoucherException.Reason;
import io.gridshare.chain.tx.TransactionSender;
import io.gridshare.chain.voucher.Voucher;
import io.gridshare.chain.voucher.VoucherDomain;
import io.gridshare.chain.voucher.Vouchers;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint16;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.abi.datatypes.generated.Uint8;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * Typed access to PaymentChannels. Vouchers are checked in Java before a redeem is sent (signature
 * against the channel's signer, amount within the deposit, channel open), so a bad voucher costs
 * no gas and fails with an {@link InvalidVoucherException} that says why.
 */
public final class PaymentChannelsClient {
    private static final String NAME = "PaymentChannels";
    private final ChainConnection chain;
    private final TransactionSender sender;
    private final String address;
    private final VoucherDomain domain;

    public PaymentChannelsClient(ChainConnection chain, TransactionSender sender, String address) {
        this.chain = chain;
        this.sender = sender;
        this.address = address;
        this.domain = new VoucherDomain(chain.chainId(), address);
    }

    public String address() {
        return address;
    }

    /** The EIP-712 domain vouchers for this contract are signed in. */
    public VoucherDomain domain() {
        return domain;
    }

    /**
     * Opens a channel from the sending account (which must have approved {@code deposit} of
     * {@code token} to this contract) and returns its id.
     */
    public BigInteger open(String payee, String token, BigInteger deposit, String signer) {
        TransactionReceipt receipt = Abi.send(sender, NAME, address, Abi.fn("open", List.of(new Address(payee),
                new Address(token), new Uint256(deposit), new Address(signer)), List.of()));
        return openedId(receipt);
    }

    /** Opens a channel with an EIP-2612 permit, so no separate approve transaction is needed. */
    public BigInteger openWithPermit(String payee, GridTokenClient token, BigInteger deposit, String signer,
                                     Credentials owner, BigInteger permitDeadline) {
        PermitSignature permit = token.signPermit(owner, address, deposit, permitDeadline);
        TransactionReceipt receipt = Abi.send(sender, NAME, address, Abi.fn("openWithPermit", List.of(
                new Address(payee), new Address(token.address()), new Uint256(deposit), new Address(signer),
                new Uint256(permitDeadline), new Uint8(permit.v()), new Bytes32(permit.r()), new Bytes32(permit.s())), List.of()));
        return openedId(receipt);
    }

    private BigInteger openedId(TransactionReceipt receipt) {
        return ChannelEvents.openedChannelId(receipt, address).orElseThrow(() -> new ChainException(
                "Transaction " + receipt.getTransactionHash() + " succeeded but emitted no ChannelOpened event from " + address));
    }

    public TransactionReceipt topUp(BigInteger channelId, BigInteger amount) {
        return Abi.send(sender, NAME, address, Abi.fn("topUp", List.of(new Uint256(channelId), new Uint256(amount)), List.of()));
    }

    /**
     * Redeems one voucher after checking it against the channel.
     *
     * @throws InvalidVoucherException when the voucher would not pay (nothing is sent)
     */
    public TransactionReceipt redeem(Voucher voucher) {
        check(voucher, channel(voucher.channelId()));
        return Abi.send(sender, NAME, address, Abi.fn("redeem", List.of(new Uint256(voucher.channelId()),
                new Uint256(voucher.cumulativeAmount()), new DynamicBytes(voucher.signature())), List.of()));
    }

    /**
     * Redeems several vouchers in one transaction (all or nothing), after checking each.
     *
     * @throws InvalidVoucherException when any voucher would not pay (nothing is sent)
     */
    public TransactionReceipt redeemMany(List<Voucher> vouchers) {
        if (vouchers.isEmpty()) {
            throw new IllegalArgumentException("redeemMany needs at least one voucher");
        }
        List<Uint256> ids = new ArrayList<>();
        List<Uint256> amounts = new ArrayList<>();
        List<DynamicBytes> signatures = new ArrayList<>();
        for (Voucher voucher : vouchers) {
            check(voucher, channel(voucher.channelId()));
            ids.add(new Uint256(voucher.channelId()));
            amounts.add(new Uint256(voucher.cumulativeAmount()));
            signatures.add(new DynamicBytes(voucher.signature()));
        }
        return Abi.send(sender, NAME, address, Abi.fn("redeemMany", List.of(
                new DynamicArray<>(Uint256.class, ids), new DynamicArray<>(Uint256.class, amounts),
                new DynamicArray<>(DynamicBytes.class, signatures)), List.of()));
    }

    /**
     * Checks that a voucher would pay out of {@code channel}: channel exists and is open, amount
     * within the deposit and above what was redeemed, signature by the channel's signer.
     */
    public void check(Voucher voucher, Channel channel) {
        if (!channel.exists()) {
            throw new InvalidVoucherException(Reason.UNKNOWN_CHANNEL, "Voucher names channel " + voucher.channelId()
                    + ", which does not exist on " + NAME + " " + address + " (chain " + chain.chainId() + ")");
        }
        if (channel.closed()) {
            throw new InvalidVoucherException(Reason.CHANNEL_CLOSED, "Channel " + voucher.channelId() + " is closed");
        }
        if (voucher.cumulativeAmount().compareTo(channel.deposit()) > 0) {
            throw new InvalidVoucherException(Reason.EXCEEDS_DEPOSIT, "Voucher for channel " + voucher.channelId()
                    + " is for " + voucher.cumulativeAmount() + ", more than the deposit " + channel.deposit()
                    + ": the payer must top up first");
        }
        if (voucher.cumulativeAmount().compareTo(channel.redeemed()) <= 0) {
            throw new InvalidVoucherException(Reason.NOT_HIGHER, "Voucher for channel " + voucher.channelId()
                    + " is for " + voucher.cumulativeAmount() + ", not above the " + channel.redeemed() + " already redeemed");
        }
        Vouchers.verify(domain, voucher, channel.signer());
    }

    public TransactionReceipt startClose(BigInteger channelId) {
        return Abi.send(sender, NAME, address, Abi.fn("startClose", List.of(new Uint256(channelId)), List.of()));
    }

    public TransactionReceipt finalizeClose(BigInteger channelId) {
        return Abi.send(sender, NAME, address, Abi.fn("finalizeClose", List.of(new Uint256(channelId)), List.of()));
    }

    public TransactionReceipt closeByPayee(BigInteger channelId) {
        return Abi.send(sender, NAME, address, Abi.fn("closeByPayee", List.of(new Uint256(channelId)), List.of()));
    }

    /** Sends the accrued fees of {@code token} to the treasury (anyone may call it). */
    public TransactionReceipt collectFees(String token) {
        return Abi.send(sender, NAME, address, Abi.fn("collectFees", List.of(new Address(token)), List.of()));
    }

    /** The channel's state; an unknown id yields a channel whose {@link Channel#exists()} is false. */
    public Channel channel(BigInteger channelId) {
        List<Type> out = Abi.call(chain, NAME, address, Abi.fn("channel", List.of(new Uint256(channelId)), List.of(
                new TypeReference<Address>() { }, new TypeReference<Address>() { }, new TypeReference<Address>() { },
                new TypeReference<Address>() { }, new TypeReference<Uint256>() { }, new TypeReference<Uint256>() { },
                new TypeReference<Uint64>() { }, new TypeReference<Bool>() { })));
        return new Channel(channelId, (String) out.get(0).getValue(), (String) out.get(1).getValue(),
                (String) out.get(2).getValue(), (String) out.get(3).getValue(), (BigInteger) out.get(4).getValue(),
                (BigInteger) out.get(5).getValue(), ((BigInteger) out.get(6).getValue()).longValueExact(),
                (Boolean) out.get(7).getValue());
    }

    /** The digest the contract computes for a voucher (to compare with {@link VoucherDomain#digest}). */
    public byte[] voucherDigest(BigInteger channelId, BigInteger cumulativeAmount) {
        return (byte[]) Abi.call(chain, NAME, address, Abi.fn("voucherDigest",
                List.of(new Uint256(channelId), new Uint256(cumulativeAmount)),
                List.of(new TypeReference<Bytes32>() { }))).get(0).getValue();
    }

    public byte[] domainSeparator() {
        return (byte[]) Abi.call(chain, NAME, address, Abi.fn("DOMAIN_SEPARATOR", List.of(),
                List.of(new TypeReference<Bytes32>() { }))).get(0).getValue();
    }

    public int feeBps() {
        return ((BigInteger) Abi.call(chain, NAME, address, Abi.fn("FEE_BPS", List.of(),
                List.of(new TypeReference<Uint16>() { }))).get(0).getValue()).intValueExact();
    }

    public String treasury() {
        return (String) Abi.call(chain, NAME, address, Abi.fn("TREASURY", List.of(),
                List.of(new TypeReference<Address>() { }))).get(0).getValue();
    }

    public long challengePeriod() {
        return ((BigInteger) Abi.call(chain, NAME, address, Abi.fn("CHALLENGE_PERIOD", List.of(),
                List.of(new TypeReference<Uint64>() { }))).get(0).getValue()).longValueExact();
    }

    /** The node's current gas price (wei), for deciding whether a redemption is worth it. */
    public BigInteger gasPrice() {
        return chain.send("eth_gasPrice", chain.web3j().ethGasPrice()).getGasPrice();
    }

    /** Protocol fees of {@code token} held for the treasury, not yet collected. */
    public BigInteger accruedFees(String token) {
        return (BigInteger) Abi.call(chain, NAME, address, Abi.fn("accruedFees", List.of(new Address(token)),
                List.of(new TypeReference<Uint256>() { }))).get(0).getValue();
    }
}
