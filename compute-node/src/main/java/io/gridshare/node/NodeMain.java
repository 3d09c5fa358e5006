package io.gridshare.node;

import io.gridshare.chain.ChainConnection;
import io.gridshare.chain.contracts.PaymentChannelsClient;
import io.gridshare.chain.settlement.SettlementPolicy;
import io.gridshare.chain.tx.TransactionOptions;
import io.gridshare.chain.tx.TransactionSender;
import io.gridshare.node.cli.BenchCommand;
import io.gridshare.node.cli.GenerateCommand;
import io.gridshare.node.config.NodeConfig;
import io.gridshare.node.payment.NodePaymentSettings;
import io.gridshare.node.payment.NodePayments;
import io.gridshare.node.config.NodeConfigException;
import io.gridshare.node.engine.BackendUnavailableException;
import io.gridshare.node.engine.EngineConfig;
import io.gridshare.node.engine.ModelDirectoryLoader;
import io.gridshare.node.engine.InferenceEngine;
import io.gridshare.node.gpu.DeviceDiscovery;
import io.gridshare.node.health.HealthServer;
import io.gridshare.node.link.NodeAgent;
import io.gridshare.node.link.NodeContext;
import io.gridshare.node.link.NodeKey;
import io.gridshare.node.link.NodeMetrics;
import io.gridshare.node.link.PaymentListener;
import io.gridshare.node.link.SlotPool;
import io.gridshare.node.model.ModelsCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The node process: {@code java --add-modules jdk.incubator.vector -jar gridshare-compute-node.jar}.
 * Reads {@link NodeConfig} (environment variables {@code GRIDSHARE_NODE_*}), loads the key and the
 * models, dials the gateways and serves /health, /ready and /metrics until stopped (SIGTERM).
 * {@code ... gridshare-compute-node.jar models pull <dir>} downloads stories260K instead;
 * {@code ... generate --model FILE --prompt TEXT ...} runs one local job ({@link GenerateCommand});
 * {@code ... bench --model FILE ...} measures a model's throughput ({@link BenchCommand}).
 */
public final class NodeMain {

    private static final System.Logger LOG = System.getLogger(NodeMain.class.getName());

    /**
     * A started node: its agent (links, engines), its health endpoint and its payments. Closing stops
     * them in that order: no new job or voucher arrives once the links are down, then the vouchers
     * received are stored and the chain connection is closed.
     */
    public record RunningNode(NodeAgent agent, HealthServer health, AutoCloseable payments) implements AutoCloseable {
        public RunningNode(NodeAgent agent, HealthServer health) {
            this(agent, health, () -> { });
        }

        @Override
        public void close() {
            health.close();
            agent.close();
            try {
                payments.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "closing the node's settlement failed", e);
            }
        }
    }

    private NodeMain() {}

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("models")) {
            String[] rest = new String[args.length - 1];
            System.arraycopy(args, 1, rest, 0, rest.length);
            System.exit(ModelsCommand.run(rest, System.out, System.err));
        }
        if (args.length > 0 && args[0].equals("generate")) {
            System.exit(GenerateCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
        }
        if (args.length > 0 && args[0].equals("bench")) {
            System.exit(BenchCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
        }
        if (args.length > 0) {
            System.err.println("usage: gridshare-compute-node            (configured by GRIDSHARE_NODE_* variables;"
                    + " see docs/node.md)\n       gridshare-compute-node models pull <dir>"
                    + "\n       gridshare-compute-node generate --model FILE --prompt TEXT [--max-tokens N] [--temperature T]"
                    + " [--chat] [--backend auto|cpu|cuda] [--context N] [--threads N]"
                    + "\n       gridshare-compute-node bench --model FILE [--tokens N] [--concurrency 1,4,16]"
                    + " [--prompt-tokens N] [--repeat R] [--json] [--no-warmup] [--backend auto|cpu|cuda] [--context N]"
                    + " [--threads N]");
            System.exit(2);
        }
        RunningNode node;
        try {
            node = start(NodeConfig.fromEnvironment());
        } catch (NodeConfigException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        } catch (IOException | UncheckedIOException | BackendUnavailableException e) {
            System.err.println("node not started: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.log(Level.INFO, "stopping the node");
            node.close();
            stopped.countDown();
        }, "gridshare-node-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Starts a node from its configuration: decrypts the key, loads every configured model, dials
     * every gateway, serves health on {@link NodeConfig#healthPort()}.
     */
    public static RunningNode start(NodeConfig config) throws IOException, BackendUnavailableException {
        LOG.log(Level.INFO, "starting node with " + config);
        org.web3j.crypto.Credentials credentials = config.loadCredentials();
        NodeKey key = new NodeKey(credentials);
        NodePayments payments = config.payment().enabled() ? payments(config.payment(), credentials) : null;
        List<InferenceEngine> engines;
        try {
            engines = loadEngines(config);
        } catch (IOException | BackendUnavailableException | RuntimeException e) {
            if (payments != null) {
                payments.close();
            }
            throw e;
        }
        NodeAgent agent;
        try {
            NodeContext node = new NodeContext(key, engines, new SlotPool(config.slots()), deviceDiscovery(),
                    config.pricePerToken(), version(), new NodeMetrics(),
                    payments == null ? PaymentListener.IGNORE : payments);
            agent = NodeAgent.startOwningEngines(node, config.gateways(), config.link());
        } catch (RuntimeException e) {
            engines.forEach(InferenceEngine::close);
            if (payments != null) {
                payments.close();
            }
            throw e;
        }
        try {
            return new RunningNode(agent, HealthServer.start(agent, "0.0.0.0", config.healthPort()),
                    payments == null ? () -> { } : payments);
        } catch (IOException | RuntimeException e) {
            agent.close();
            if (payments != null) {
                payments.close();
            }
            throw e;
        }
    }

    /**
     * The node's settlement: vouchers verified against the chain, redeemed in batches with the node
     * key. It owns the chain connection: closing it (last, when the node stops) closes the connection.
     */
    static NodePayments payments(NodePaymentSettings settings, org.web3j.crypto.Credentials credentials) {
        ChainConnection chain = ChainConnection.connect(settings.rpcUrl().orElseThrow());
        try {
            PaymentChannelsClient channels = new PaymentChannelsClient(chain,
                    new TransactionSender(chain, credentials, TransactionOptions.defaults()),
                    settings.paymentChannels().orElseThrow());
            NodePayments payments = new NodePayments(channels, credentials.getAddress(), settings.settlementDir(),
                    new SettlementPolicy(settings.minRedeemable(), java.math.BigDecimal.ZERO, java.math.BigDecimal.ONE,
                            50, 65_000, 20_000), settings.settleInterval(), chain);
            LOG.log(Level.INFO, "payments: vouchers kept in " + settings.settlementDir() + ", PaymentChannels "
                    + channels.address() + " on chain " + chain.chainId());
            return payments;
        } catch (RuntimeException e) {
            chain.close();
            throw e;
        }
    }

    /**
     * Loads the configured models (all models in {@code modelsDir} when none is named) on the
     * configured backend; see {@link ModelDirectoryLoader}.
     */
    public static List<InferenceEngine> loadEngines(NodeConfig config) throws IOException, BackendUnavailableException {
        EngineConfig engineConfig = EngineConfig.defaults(config.slots()).withBackend(config.backend());
        return new ModelDirectoryLoader(config.modelsDir(), engineConfig).loadAll(config.models());
    }

    /** The CUDA device discovery when it is built in, else none (a CPU-only node publishes no GPU). */
    static DeviceDiscovery deviceDiscovery() {
        try {
            Class<?> type = Class.forName("io.gridshare.node.gpu.CudaDeviceDiscovery");
            return (DeviceDiscovery) type.getConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            LOG.log(Level.INFO, "no GPU discovery in this build (" + e + "); publishing no GPU");
            return List::of;
        }
    }

    /** The jar's Implementation-Version, or "dev" when run from classes. */
    static String version() {
        String v = NodeMain.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
