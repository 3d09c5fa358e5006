package io.gridshare.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.gridshare.chain.ChainConnection;
import io.gridshare.chain.Deployment;
import io.gridshare.chain.contracts.GridshareContracts;
import io.gridshare.chain.tx.Keystores;
import io.gridshare.chain.tx.TransactionOptions;
import io.gridshare.client.FileChannelLedger;
import io.gridshare.client.GridshareClientException;
import io.gridshare.client.NetworkFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import org.web3j.crypto.Credentials;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Options every command shares, and their resolution: an option wins, else the network file, else
 * a default.
 */
final class CommonOptions {
    static final String DEFAULT_GATEWAY = "127.0.0.1:9090";
    static final String PASSWORD_ENV = "GRIDSHARE_PASSWORD";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--network-file", paramLabel = "PATH",
            description = "Network file to read (default: .gridshare/local-network.properties in this directory or a parent).")
    Path networkFile;

    @Option(names = "--gateway", paramLabel = "HOST:PORT",
            description = "Gateway gRPC address (default: gateway.grpc of the network file, else " + DEFAULT_GATEWAY + ").")
    String gateway;

    @Option(names = "--tls", description = "Use TLS to the gateway (default: plaintext).")
    boolean tls;

    @Option(names = "--rpc", paramLabel = "URL", description = "Chain JSON-RPC URL (default: rpc.url of the network file).")
    String rpc;

    @Option(names = "--chain-id", paramLabel = "ID", description = "Chain id (default: chain.id of the network file, else read from --rpc).")
    Long chainId;

    @Option(names = "--grid-token", paramLabel = "ADDRESS", description = "GridToken address.")
    String gridToken;

    @Option(names = "--node-registry", paramLabel = "ADDRESS", description = "NodeRegistry address.")
    String nodeRegistry;

    @Option(names = "--payment-channels", paramLabel = "ADDRESS", description = "PaymentChannels address.")
    String paymentChannels;

    @Option(names = "--keystore", paramLabel = "FILE",
            description = "Encrypted JSON keystore of your key (default on the local network: its dev tenant key).")
    Path keystore;

    @Option(names = "--password-file", paramLabel = "FILE",
            description = "File holding the keystore passphrase (default: the " + PASSWORD_ENV + " environment variable).")
    Path passwordFile;

    @Option(names = "--json", description = "Print the result as JSON (for scripts).")
    boolean json;

    private NetworkFile network;
    private boolean networkLoaded;

    GridshareCli root() {
        return (GridshareCli) mixee.root().userObject();
    }

    PrintWriter out() {
        return mixee.commandLine().getOut();
    }

    /** The network file, if one was named or found. */
    Optional<NetworkFile> network() {
        if (!networkLoaded) {
            networkLoaded = true;
            if (networkFile != null) {
                network = NetworkFile.read(networkFile);
            } else {
                network = NetworkFile.find(root().workingDirectory()).map(NetworkFile::read).orElse(null);
            }
        }
        return Optional.ofNullable(network);
    }

    String gatewayTarget() {
        if (gateway != null) {
            return gateway;
        }
        return network().flatMap(NetworkFile::gatewayGrpc).orElse(DEFAULT_GATEWAY);
    }

    /** The deployment from options and the network file, if complete enough to reach the chain. */
    Optional<Deployment> deployment() {
        Optional<NetworkFile> n = network();
        String url = rpc != null ? rpc : n.flatMap(f -> f.get(NetworkFile.RPC_URL)).orElse(null);
        String token = gridToken != null ? gridToken : n.flatMap(f -> f.get(NetworkFile.GRID_TOKEN)).orElse(null);
        String registry = nodeRegistry != null ? nodeRegistry : n.flatMap(f -> f.get(NetworkFile.NODE_REGISTRY)).orElse(null);
        String channels = paymentChannelsAddress().orElse(null);
        if (url == null || token == null || registry == null || channels == null) {
            return Optional.empty();
        }
        Long id = chainIdOption().orElse(null);
        return Optional.of(new Deployment(url, id == null ? -1 : id, token, registry, channels));
    }

    Optional<String> paymentChannelsAddress() {
        return paymentChannels != null ? Optional.of(paymentChannels)
                : network().flatMap(f -> f.get(NetworkFile.PAYMENT_CHANNELS));
    }

    Optional<Long> chainIdOption() {
        return chainId != null ? Optional.of(chainId) : network().flatMap(f -> f.get(NetworkFile.CHAIN_ID)).map(Long::parseLong);
    }

    Deployment requireDeployment() {
        return deployment().orElseThrow(() -> new GridshareClientException(
                "no chain configured: need --rpc, --grid-token, --node-registry and --payment-channels",
                "pass them, or start the local network (`" + GridshareClientException.START_LOCAL_NETWORK
                        + "`), which writes .gridshare/local-network.properties, or pass --network-file"));
    }

    /** Connects to the chain and checks the chain id; the caller closes the connection. */
    Chain connect() {
        Deployment d = requireDeployment();
        ChainConnection connection = ChainConnection.connect(d.rpcUrl());
        Deployment checked = d.chainId() < 0
                ? new Deployment(d.rpcUrl(), connection.chainId(), d.gridToken(), d.nodeRegistry(), d.paymentChannels()) : d;
        try {
            return new Chain(connection, GridshareContracts.readOnly(connection, checked));
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** A connection and the contracts on it. */
    record Chain(ChainConnection connection, GridshareContracts contracts) implements AutoCloseable {
        GridshareContracts as(Credentials credentials) {
            return GridshareContracts.as(connection, contracts.deployment(), credentials, TransactionOptions.defaults());
        }

        @Override
        public void close() {
            connection.close();
        }
    }

    /** The user's key: --keystore (passphrase from --password-file or the environment), else the network file's dev key. */
    Credentials credentials() {
        if (keystore != null) {
            Keystores.Passphrase passphrase = passwordFile != null ? Keystores.Passphrase.fromFile(passwordFile)
                    : new Keystores.EnvPassphrase(PASSWORD_ENV, root().environment());
            return Keystores.load(keystore, passphrase);
        }
        Optional<String> dev = network().flatMap(NetworkFile::tenantPrivateKey);
        if (dev.isPresent()) {
            return Credentials.create(dev.get());
        }
        throw new GridshareClientException("no key to sign with",
                "pass --keystore <file> with --password-file <file> (or set " + PASSWORD_ENV + "); on the local network "
                        + "the network file supplies a dev key");
    }

    static FileChannelLedger ledger(Path dir) {
        return dir != null ? new FileChannelLedger(dir) : FileChannelLedger.inHome();
    }

    void printJson(Object value) {
        try {
            out().println(JSON.writeValueAsString(value));
            out().flush();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write JSON: " + e.getMessage(), e);
        }
    }
}
