package io.gridshare.gateway.payment;

import io.gridshare.chain.contracts.GridshareContracts;
import io.gridshare.chain.contracts.PaymentChannelsClient;
import io.gridshare.chain.local.LocalChain;
import io.gridshare.chain.settlement.SettlementPolicy;
import io.gridshare.chain.tx.TransactionOptions;
import io.gridshare.chain.tx.TransactionSender;
import io.gridshare.gateway.GatewayServices;
import io.gridshare.gateway.config.GatewaySettings;
import io.gridshare.gateway.grpc.GrpcServer;
import io.gridshare.gateway.link.InMemoryNodeStakeCheck;
import io.gridshare.gateway.observe.GatewayObserver;
import io.gridshare.gateway.observe.PaymentObserver;
import io.gridshare.gateway.placement.InMemoryPlacement;
import io.gridshare.node.engine.EngineConfig;
import io.gridshare.node.engine.Engines;
import io.gridshare.node.engine.InferenceEngine;
import io.gridshare.node.link.GatewayAddress;
import io.gridshare.node.link.LinkSettings;
import io.gridshare.node.link.NodeAgent;
import io.gridshare.node.link.NodeContext;
import io.gridshare.node.link.NodeKey;
import io.gridshare.node.link.NodeMetrics;
import io.gridshare.node.link.SlotPool;
import io.gridshare.node.model.ModelFiles;
import io.gridshare.node.model.ModelsDirectory;
import io.gridshare.node.payment.NodePayments;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.web3j.crypto.Credentials;

/**
 * One paid gateway (real gRPC server on loopback, {@link GatewayPayments} over the local chain) and one
 * real compute node (the CPU engine on stories260K, {@link NodePayments} verifying and storing the
 * gateway's vouchers) that dials it. Account 1 is the gateway's key, account 3 the node's.
 */
public final class PaidNetwork implements AutoCloseable {

    public static final BigInteger NODE_PRICE = BigInteger.valueOf(1_000);
    public static final BigInteger FEE = BigInteger.valueOf(250);
    public static final BigInteger TENANT_PRICE = NODE_PRICE.add(FEE);
    public static final int WINDOW = 8;
    public static final BigInteger NODE_CHANNEL_DEPOSIT = BigInteger.valueOf(1_000_000);

    /**
     * The real stories260K engine on the CPU with 2 slots, as a paid test's node runs it; skips the
     * test (with what to do) when the model is not there.
     */
    public static InferenceEngine stories260KOnCpu() throws Exception {
        java.nio.file.Path models = ModelsDirectory.resolve();
        org.junit.jupiter.api.Assumptions.assumeTrue(
                java.nio.file.Files.isRegularFile(models.resolve("stories260K/stories260K.bin")),
                "stories260K not found: " + ModelsDirectory.howToProvide(models));
        return Engines.load(ModelFiles.stories260K(models), EngineConfig.defaults(2).withBackend(EngineConfig.Backend.CPU));
    }

    public final LocalChain chain;
    public final Credentials gatewayKey;
    public final Credentials nodeKey;
    public final GatewayPayments payments;
    public final GatewayServices services;
    public final GrpcServer grpc;
    public final NodePayments nodePayments;
    public final NodeAgent node;
    public final Path gatewayDir;
    private final InMemoryNodeStakeCheck stakes;

    public PaidNetwork(LocalChain chain, InferenceEngine engine, Path gatewayDir, Path nodeDir, Duration paymentTimeout) {
        this(chain, engine, gatewayDir, nodeDir, paymentTimeout, PaymentObserver.NOOP);
    }

    /** As above, the gateway's payment side reporting to {@code observer}. */
    public PaidNetwork(LocalChain chain, InferenceEngine engine, Path gatewayDir, Path nodeDir, Duration paymentTimeout,
                       PaymentObserver observer) {
        this.chain = chain;
        this.gatewayDir = gatewayDir;
        this.gatewayKey = chain.account(1);
        this.nodeKey = chain.account(3);
        GatewaySettings d = GatewaySettings.defaults();
        GatewaySettings settings = new GatewaySettings(d.gatewayId(), chain.deployment().chainId(), "127.0.0.1", 0,
                d.maxInboundMessageBytes(), d.maxPromptChars(), d.maxTokensLimit(), 16, d.maxTokensPerMessage(),
                d.maxFailovers(), Duration.ofMillis(200), Duration.ofSeconds(5), Duration.ofSeconds(30), FEE, WINDOW);
        payments = GatewayPayments.paid(contracts(), gatewayKey, PaymentSettings.defaults(gatewayDir)
                .withPaymentTimeout(paymentTimeout).withNodeChannel(NODE_CHANNEL_DEPOSIT, BigInteger.valueOf(100_000)),
                WINDOW, observer);
        stakes = new InMemoryNodeStakeCheck(BigInteger.ONE).stake(nodeKey.getAddress(), BigInteger.TEN);
        services = new GatewayServices(settings, new InMemoryPlacement("member-1"), stakes, payments.meter(),
                GatewayObserver.NOOP, GatewayServices.STANDALONE);
        grpc = new GrpcServer("127.0.0.1", 0, settings.maxInboundMessageBytes(), services.grpcServices()).start();
        nodePayments = new NodePayments(channelsAs(nodeKey), nodeKey.getAddress(), nodeDir, SettlementPolicy.always(),
                null);
        node = startNode(nodeKey, engine, nodePayments);
    }

    /** A further real node with its own key and settlement, linked to the gateway. */
    public NodeAgent startNode(Credentials key, InferenceEngine engine, NodePayments payments) {
        stakes.stake(key.getAddress(), BigInteger.TEN);
        NodeContext context = new NodeContext(new NodeKey(key), List.of(engine), new SlotPool(2), List::of,
                NODE_PRICE, "test", new NodeMetrics(), payments);
        return NodeAgent.start(context, List.of(GatewayAddress.parse("127.0.0.1:" + grpc.port())),
                LinkSettings.defaults().withReconnect(Duration.ofMillis(50), Duration.ofMillis(200),
                        Duration.ofMillis(200)));
    }

    public GridshareContracts contracts() {
        return GridshareContracts.as(chain.connection(), chain.deployment(), chain.account(0),
                TransactionOptions.defaults());
    }

    public PaymentChannelsClient channelsAs(Credentials key) {
        return new PaymentChannelsClient(chain.connection(),
                new TransactionSender(chain.connection(), key, TransactionOptions.defaults()),
                chain.deployment().paymentChannels());
    }

    public String target() {
        return "127.0.0.1:" + grpc.port();
    }

    public NodePayer nodePayer() {
        return payments.nodePayer().orElseThrow();
    }

    @Override
    public void close() {
        node.close();
        grpc.close();
        services.close();
        payments.close();
        nodePayments.close();
    }
}
