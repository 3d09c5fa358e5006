package io.gridshare.chain.contracts;

import io.gridshare.chain.ChainConnection;
import io.gridshare.chain.tx.TransactionSender;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint8;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Sign;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * Typed access to an ERC-20 with EIP-2612 permit: GRID itself, or any token a channel is funded
 * with. Transactions need a client built with a signing account.
 */
public final class GridTokenClient {
    private static final String NAME = "ERC20";
    private static final byte[] PERMIT_TYPEHASH = Hash.sha3(
            "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)".getBytes(StandardCharsets.UTF_8));

    private final ChainConnection chain;
    private final TransactionSender sender;
    private final String address;

    public GridTokenClient(ChainConnection chain, TransactionSender sender, String address) {
        this.chain = chain;
        this.sender = sender;
        this.address = address;
    }

    public String address() {
        return address;
    }

    public BigInteger balanceOf(String owner) {
        return uint("balanceOf", List.of(new Address(owner)));
    }

    public BigInteger allowance(String owner, String spender) {
        return uint("allowance", List.of(new Address(owner), new Address(spender)));
    }

    public BigInteger totalSupply() {
        return uint("totalSupply", List.of());
    }

    /** EIP-2612 nonce of {@code owner} (the next permit must carry it). */
    public BigInteger nonces(String owner) {
        return uint("nonces", List.of(new Address(owner)));
    }

    public TransactionReceipt approve(String spender, BigInteger amount) {
        return Abi.send(sender, NAME, address, Abi.fn("approve", List.of(new Address(spender), new Uint256(amount)), List.of()));
    }

    public TransactionReceipt transfer(String to, BigInteger amount) {
        return Abi.send(sender, NAME, address, Abi.fn("transfer", List.of(new Address(to), new Uint256(amount)), List.of()));
    }

    /** Submits a permit signed by its owner (anyone may submit it). */
    public TransactionReceipt permit(PermitSignature permit) {
        return Abi.send(sender, NAME, address, Abi.fn("permit", List.of(new Address(permit.owner()),
                new Address(permit.spender()), new Uint256(permit.value()), new Uint256(permit.deadline()),
                new Uint8(permit.v()), new Bytes32(permit.r()), new Bytes32(permit.s())), List.of()));
    }

    public byte[] domainSeparator() {
        List<Type> out = Abi.call(chain, NAME, address, Abi.fn("DOMAIN_SEPARATOR", List.of(),
                List.of(new TypeReference<Bytes32>() { })));
        return (byte[]) out.get(0).getValue();
    }

    /**
     * Signs an EIP-2612 permit with the owner's key, using the token's own domain separator and the
     * owner's current nonce (so it is valid for the next permit only).
     */
    public PermitSignature signPermit(Credentials owner, String spender, BigInteger value, BigInteger deadline) {
        byte[] struct = new byte[32 * 6];
        System.arraycopy(PERMIT_TYPEHASH, 0, struct, 0, 32);
        System.arraycopy(Numeric.toBytesPadded(Numeric.toBigInt(owner.getAddress()), 32), 0, struct, 32, 32);
        System.arraycopy(Numeric.toBytesPadded(Numeric.toBigInt(spender), 32), 0, struct, 64, 32);
        System.arraycopy(Numeric.toBytesPadded(value, 32), 0, struct, 96, 32);
        System.arraycopy(Numeric.toBytesPadded(nonces(owner.getAddress()), 32), 0, struct, 128, 32);
        System.arraycopy(Numeric.toBytesPadded(deadline, 32), 0, struct, 160, 32);
        byte[] message = new byte[66];
        message[0] = 0x19;
        message[1] = 0x01;
        System.arraycopy(domainSeparator(), 0, message, 2, 32);
        System.arraycopy(Hash.sha3(struct), 0, message, 34, 32);
        Sign.SignatureData sig = Sign.signMessage(Hash.sha3(message), owner.getEcKeyPair(), false);
        return new PermitSignature(owner.getAddress(), spender, value, deadline, sig.getV()[0] & 0xff, sig.getR(), sig.getS());
    }

    private BigInteger uint(String function, List<Type> inputs) {
        return (BigInteger) Abi.call(chain, NAME, address, Abi.fn(function, inputs,
                List.of(new TypeReference<Uint256>() { }))).get(0).getValue();
    }
}
