package io.gridshare.client;

import io.gridshare.chain.Deployment;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The description of a running Gridshare network that the local network launcher writes to
 * {@code .gridshare/local-network.properties} under the repository root, and that the CLI reads by
 * default (searching the working directory and its parents). A Java properties file with these keys:
 *
 * <table>
 *   <caption>keys</caption>
 *   <tr><td>{@code rpc.url}</td><td>JSON-RPC URL of the chain, e.g. http://127.0.0.1:8545</td></tr>
 *   <tr><td>{@code chain.id}</td><td>the chain id, e.g. 31337</td></tr>
 *   <tr><td>{@code contracts.grid-token}</td><td>GridToken address</td></tr>
 *   <tr><td>{@code contracts.node-registry}</td><td>NodeRegistry address</td></tr>
 *   <tr><td>{@code contracts.payment-channels}</td><td>PaymentChannels address</td></tr>
 *   <tr><td>{@code gateway.grpc}</td><td>a gateway's gRPC host:port (the CLI's default --gateway)</td></tr>
 *   <tr><td>{@code gateway.http}</td><td>a gateway's OpenAI REST base URL, e.g. http://127.0.0.1:8080</td></tr>
 *   <tr><td>{@code gateway.payee}</td><td>the gateway's address (payee of tenant channels)</td></tr>
 *   <tr><td>{@code tenant.private-key}</td><td>DEV ONLY: the tenant's private key (0x hex), a public anvil
 *       key; a real network never writes a key into this file — use a keystore</td></tr>
 *   <tr><td>{@code tenant.channel-id}</td><td>the tenant's open channel to gateway.payee</td></tr>
 *   <tr><td>{@code node.N.key}</td><td>node N's key (address), N = 0, 1, ...</td></tr>
 *   <tr><td>{@code node.N.operator}</td><td>the operator address that registered node N (optional)</td></tr>
 *   <tr><td>{@code node.N.settlement-dir}</td><td>node N's settlement directory (optional)</td></tr>
 * </table>
 *
 * Unknown keys are kept (read and written back), so the launcher may add its own.
 */
public final class NetworkFile {
    /** Where the launcher writes it, relative to the repository root. */
    public static final Path DEFAULT_RELATIVE = Path.of(".gridshare", "local-network.properties");

    public static final String RPC_URL = "rpc.url";
    public static final String CHAIN_ID = "chain.id";
    public static final String GRID_TOKEN = "contracts.grid-token";
    public static final String NODE_REGISTRY = "contracts.node-registry";
    public static final String PAYMENT_CHANNELS = "contracts.payment-channels";
    public static final String GATEWAY_GRPC = "gateway.grpc";
    public static final String GATEWAY_HTTP = "gateway.http";
    public static final String GATEWAY_PAYEE = "gateway.payee";
    public static final String TENANT_PRIVATE_KEY = "tenant.private-key";
    public static final String TENANT_CHANNEL_ID = "tenant.channel-id";

    private final Map<String, String> values;

    private NetworkFile(Map<String, String> values) {
        this.values = new TreeMap<>(values);
    }

    /** An empty file to fill with the {@code with} methods. */
    public static NetworkFile empty() {
        return new NetworkFile(Map.of());
    }

    /** Reads one; fails with a message that names the file. */
    public static NetworkFile read(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new GridshareClientException("Cannot read the network file " + file.toAbsolutePath() + ": " + e.getMessage(),
                    "start the local network (`" + GridshareClientException.START_LOCAL_NETWORK + "`) or pass --network-file");
        }
        Map<String, String> values = new TreeMap<>();
        properties.stringPropertyNames().forEach(k -> values.put(k, properties.getProperty(k).trim()));
        return new NetworkFile(values);
    }

    /** The first {@code .gridshare/local-network.properties} in {@code start} or one of its parents. */
    public static Optional<Path> find(Path start) {
        for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(DEFAULT_RELATIVE);
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * Writes it atomically (temporary file, fsync, rename), readable only by the owner where the file
     * system allows it (it may hold a dev key).
     */
    public void write(Path file) {
        StringBuilder text = new StringBuilder("# Gridshare network, written by the local network launcher.\n"
                + "# tenant.private-key is a public anvil dev key: never use it with real funds.\n");
        try {
            for (Map.Entry<String, String> entry : values.entrySet()) {
                // one Properties per line gives Java's escaping with the keys in sorted order
                Properties one = new Properties();
                one.setProperty(entry.getKey(), entry.getValue());
                StringWriter line = new StringWriter();
                one.store(line, null);
                line.toString().lines().filter(l -> !l.startsWith("#")).forEach(l -> text.append(l).append('\n'));
            }
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = dir.resolve(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            try {
                Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(tmp);
            }
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                out.write(StandardCharsets.UTF_8.encode(text.toString()));
                out.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the network file " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    /** A raw value. */
    public Optional<String> get(String key) {
        String value = values.get(key);
        return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    /** A required value; the error names the key and the file's purpose. */
    public String require(String key) {
        return get(key).orElseThrow(() -> new GridshareClientException("The network file has no " + key,
                "restart the local network so that it writes a complete file, or pass the value as an option"));
    }

    /** All values (sorted by key). */
    public Map<String, String> values() {
        return Map.copyOf(values);
    }

    /** A copy with {@code key} set ({@code null} removes it). */
    public NetworkFile with(String key, Object value) {
        Map<String, String> copy = new TreeMap<>(values);
        if (value == null) {
            copy.remove(key);
        } else {
            copy.put(key, value.toString());
        }
        return new NetworkFile(copy);
    }

    /** A copy with the chain's RPC URL, chain id and contract addresses. */
    public NetworkFile withDeployment(Deployment deployment) {
        return with(RPC_URL, deployment.rpcUrl()).with(CHAIN_ID, deployment.chainId())
                .with(GRID_TOKEN, deployment.gridToken()).with(NODE_REGISTRY, deployment.nodeRegistry())
                .with(PAYMENT_CHANNELS, deployment.paymentChannels());
    }

    /** The deployment, if the file names the RPC URL, chain id and all three contracts. */
    public Optional<Deployment> deployment() {
        if (get(RPC_URL).isEmpty() || get(CHAIN_ID).isEmpty() || get(GRID_TOKEN).isEmpty()
                || get(NODE_REGISTRY).isEmpty() || get(PAYMENT_CHANNELS).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Deployment(require(RPC_URL), Long.parseLong(require(CHAIN_ID)), require(GRID_TOKEN),
                require(NODE_REGISTRY), require(PAYMENT_CHANNELS)));
    }

    public Optional<String> gatewayGrpc() {
        return get(GATEWAY_GRPC);
    }

    public Optional<String> gatewayHttp() {
        return get(GATEWAY_HTTP);
    }

    public Optional<String> gatewayPayee() {
        return get(GATEWAY_PAYEE);
    }

    /** DEV ONLY: the tenant's anvil key the launcher wrote. */
    public Optional<String> tenantPrivateKey() {
        return get(TENANT_PRIVATE_KEY);
    }

    public Optional<BigInteger> tenantChannelId() {
        return get(TENANT_CHANNEL_ID).map(BigInteger::new);
    }

    /** A copy with node {@code index}'s key. */
    public NetworkFile withNodeKey(int index, String key) {
        return with("node." + index + ".key", key);
    }

    /** The node keys, by index order. */
    public List<String> nodeKeys() {
        List<String> keys = new ArrayList<>();
        for (int i = 0; get("node." + i + ".key").isPresent(); i++) {
            keys.add(require("node." + i + ".key"));
        }
        return keys;
    }
}
