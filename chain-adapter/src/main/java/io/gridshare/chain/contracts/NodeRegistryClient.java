package io.gridshare.chain.contracts;

import io.gridshare.chain.ChainConnection;
import io.gridshare.chain.tx.TransactionSender;
import java.math.BigInteger;
import java.util.List;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * Typed access to NodeRegistry: operators register node keys with a GRID stake, top it up and
 * unbond it; gateways read {@link #status}. Transactions need a client built with a signing account.
 * The operator must first approve the registry to pull the stake ({@link GridTokenClient#approve}).
 */
public final class NodeRegistryClient implements NodeStakeView {
    private static final String NAME = "NodeRegistry";
    private final ChainConnection chain;
    private final TransactionSender sender;
    private final String address;

    public NodeRegistryClient(ChainConnection chain, TransactionSender sender, String address) {
        this.chain = chain;
        this.sender = sender;
        this.address = address;
    }

    public String address() {
        return address;
    }

    /** Registers {@code nodeKey} for the sending operator with {@code stake} GRID. */
    public TransactionReceipt register(String nodeKey, BigInteger stake, byte[] metadataHash, String metadataUri) {
        return Abi.send(sender, NAME, address, Abi.fn("register", List.of(new Address(nodeKey), new Uint256(stake),
                new Bytes32(metadataHash), new Utf8String(metadataUri)), List.of()));
    }

    public TransactionReceipt topUp(String nodeKey, BigInteger amount) {
        return Abi.send(sender, NAME, address, Abi.fn("topUp", List.of(new Address(nodeKey), new Uint256(amount)), List.of()));
    }

    public TransactionReceipt startUnbonding(String nodeKey, BigInteger amount) {
        return Abi.send(sender, NAME, address,
                Abi.fn("startUnbonding", List.of(new Address(nodeKey), new Uint256(amount)), List.of()));
    }

    public TransactionReceipt withdrawUnbonded(String nodeKey) {
        return Abi.send(sender, NAME, address, Abi.fn("withdrawUnbonded", List.of(new Address(nodeKey)), List.of()));
    }

    public TransactionReceipt updateMetadata(String nodeKey, byte[] metadataHash, String metadataUri) {
        return Abi.send(sender, NAME, address, Abi.fn("updateMetadata", List.of(new Address(nodeKey),
                new Bytes32(metadataHash), new Utf8String(metadataUri)), List.of()));
    }

    @Override
    public NodeStatus status(String nodeKey) {
        List<Type> out = Abi.call(chain, NAME, address, Abi.fn("nodeStatus", List.of(new Address(nodeKey)), List.of(
                new TypeReference<Bool>() { }, new TypeReference<Bool>() { },
                new TypeReference<Uint256>() { }, new TypeReference<Address>() { })));
        return new NodeStatus((Boolean) out.get(0).getValue(), (Boolean) out.get(1).getValue(),
                (BigInteger) out.get(2).getValue(), (String) out.get(3).getValue());
    }

    /** The full record of a node key. */
    public record NodeInfo(String operator, BigInteger bonded, BigInteger unbonding, long unbondingEndsAt,
                           byte[] metadataHash, String metadataUri) {
    }

    public NodeInfo node(String nodeKey) {
        List<Type> out = Abi.call(chain, NAME, address, Abi.fn("node", List.of(new Address(nodeKey)), List.of(
                new TypeReference<Address>() { }, new TypeReference<Uint256>() { }, new TypeReference<Uint256>() { },
                new TypeReference<Uint64>() { }, new TypeReference<Bytes32>() { }, new TypeReference<Utf8String>() { })));
        return new NodeInfo((String) out.get(0).getValue(), (BigInteger) out.get(1).getValue(),
                (BigInteger) out.get(2).getValue(), ((BigInteger) out.get(3).getValue()).longValueExact(),
                (byte[]) out.get(4).getValue(), (String) out.get(5).getValue());
    }

    public BigInteger minStake() {
        return (BigInteger) Abi.call(chain, NAME, address, Abi.fn("MIN_STAKE", List.of(),
                List.of(new TypeReference<Uint256>() { }))).get(0).getValue();
    }

    public long unbondingDelay() {
        return ((BigInteger) Abi.call(chain, NAME, address, Abi.fn("UNBONDING_DELAY", List.of(),
                List.of(new TypeReference<Uint64>() { }))).get(0).getValue()).longValueExact();
    }
}
