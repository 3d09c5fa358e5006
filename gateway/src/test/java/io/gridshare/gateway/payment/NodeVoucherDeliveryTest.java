package io.gridshare.gateway.payment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gridshare.chain.contracts.GridshareContracts;
import io.gridshare.chain.contracts.PaymentChannelsClient;
import io.gridshare.chain.local.LocalChain;
import io.gridshare.chain.tx.TransactionOptions;
import io.gridshare.chain.voucher.Voucher;
import io.gridshare.chain.voucher.Vouchers;
import io.gridshare.gateway.GatewayServices;
import io.gridshare.gateway.config.GatewaySettings;
import io.gridshare.gateway.job.CountingJobMeter;
import io.gridshare.gateway.job.NodeChannel;
import io.gridshare.gateway.link.InMemoryNodeStakeCheck;
import io.gridshare.gateway.observe.GatewayObserver;
import io.gridshare.gateway.placement.InMemoryPlacement;
import io.gridshare.gateway.testnode.ArithmeticTestNode;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;

/**
 * {@link NodePayer} on a real anvil, paying nodes that speak the real NodeLink protocol to a standalone
 * gateway: every voucher it signs reaches its node, also one signed while the node had no link.
 */
class NodeVoucherDeliveryTest {

    private static final BigInteger PRICE = BigInteger.valueOf(5);
    private static final BigInteger DEPOSIT = BigInteger.valueOf(1_000_000);
    private static final int WINDOW = 8;
    private static final Duration NEVER = Duration.ofHours(1);

    private static LocalChain chain;

    @TempDir
    Path dir;
    private Credentials gatewayKey;
    private PaymentChannelsClient channels;
    private GatewayServices services;
    private Server server;
    private ManagedChannel grpc;
    private final InMemoryNodeStakeCheck stakes = new InMemoryNodeStakeCheck(BigInteger.ONE);
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeAll
    static void startChain() {
        chain = LocalChain.start();
    }

    @AfterAll
    static void stopChain() {
        if (chain != null) {
            chain.close();
        }
    }

    @BeforeEach
    void startGateway() throws Exception {
        gatewayKey = chain.account(1);
        channels = contracts().paymentChannels();
        GatewaySettings settings = GatewaySettings.defaults().withLinkExpiry(Duration.ofMillis(200),
                Duration.ofSeconds(5));
        services = new GatewayServices(settings, new InMemoryPlacement("member-1"), stakes, new CountingJobMeter(),
                GatewayObserver.NOOP, GatewayServices.STANDALONE);
        String name = InProcessServerBuilder.generateName();
        InProcessServerBuilder b = InProcessServerBuilder.forName(name);
        services.grpcServices().forEach(b::addService);
        server = b.build().start();
        grpc = InProcessChannelBuilder.forName(name).build();
    }

    @AfterEach
    void stopGateway() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
        services.close();
        grpc.shutdownNow();
        server.shutdownNow();
    }

    private GridshareContracts contracts() {
        return GridshareContracts.as(chain.connection(), chain.deployment(), gatewayKey, TransactionOptions.defaults());
    }

    private NodePayer payer(Duration redeliverEvery) {
        GridshareContracts c = contracts();
        NodePayer payer = new NodePayer(c.paymentChannels(), c.gridToken(), gatewayKey, DEPOSIT,
                BigInteger.valueOf(1_000), WINDOW, dir.resolve("node-vouchers"), redeliverEvery);
        closing.add(payer);
        return payer;
    }

    private ArithmeticTestNode link(ECKeyPair key) throws Exception {
        String address = "0x" + Keys.getAddress(key.getPublicKey());
        stakes.stake(address, BigInteger.TEN);
        ArithmeticTestNode node = new ArithmeticTestNode(grpc, key, PRICE.longValueExact(), 1, 0, true).connect();
        closing.add(node);
        assertThat(node.verdict().hasWelcome()).isTrue();
        return node;
    }

    /** The voucher amounts the node received, each checked to be signed by the gateway for its channel. */
    private List<BigInteger> received(ArithmeticTestNode node) {
        return node.payments().stream().map(p -> {
            Voucher v = new Voucher(new BigInteger(p.getChannel().getChannelId()),
                    new BigInteger(p.getCumulativeAmount().getBaseUnits()), p.getSignature().toByteArray());
            assertThat(Vouchers.recoverSigner(channels.domain(), v)).isEqualToIgnoringCase(gatewayKey.getAddress());
            assertThat(channels.channel(v.channelId()).payee()).isEqualToIgnoringCase(node.address());
            return v.cumulativeAmount();
        }).toList();
    }

    private static BigInteger tokens(long n) {
        return PRICE.multiply(BigInteger.valueOf(n));
    }

    private void job(NodePayer payer, String nodeId, int tokens) {
        payer.produced(nodeId, tokens, PRICE);
        payer.jobEnded(List.of(nodeId));
        payer.flush();
    }

    @Test
    void aStandaloneGatewayHandsEachVoucherToTheLocalLinkAtOnce() throws Exception {
        NodePayer payer = payer(NEVER);
        payer.useLinks(services.nodeLinks());
        ArithmeticTestNode node = link(Keys.createEcKeyPair());

        job(payer, node.address(), 10);

        assertThat(payer.deliveredTo(node.address())).isEqualTo(tokens(10)).isEqualTo(payer.signedFor(node.address()));
        await().atMost(Duration.ofSeconds(10)).until(() -> received(node).contains(tokens(10)));
        assertThat(received(node)).containsOnly(tokens(10)); // a re-send when the node linked is the same voucher
    }

    @Test
    void aVoucherSignedWhileTheNodeHadNoLinkReachesItWhenItLinksAgain() throws Exception {
        NodePayer payer = payer(NEVER); // only the node's new link sends it again
        payer.useLinks(services.nodeLinks());
        ECKeyPair key = Keys.createEcKeyPair();
        ArithmeticTestNode before = link(key);
        job(payer, before.address(), 10);
        await().atMost(Duration.ofSeconds(10)).until(() -> received(before).contains(tokens(10)));

        before.kill();
        await().atMost(Duration.ofSeconds(10)).until(() -> services.links().local(before.address()).isEmpty());
        job(payer, before.address(), 4); // the job's final voucher, while the node is down
        assertThat(payer.signedFor(before.address())).isEqualTo(tokens(14));
        assertThat(payer.deliveredTo(before.address())).isEqualTo(tokens(10));

        ArithmeticTestNode after = link(key);

        await().atMost(Duration.ofSeconds(10)).until(() -> received(after).contains(tokens(14)));
        await().atMost(Duration.ofSeconds(10)).until(() -> payer.deliveredTo(after.address()).equals(tokens(14)));
        assertThat(received(before)).containsOnly(tokens(10));
    }

    @Test
    void aVoucherNoLinkTookIsSentAgainOnTheSchedule() throws Exception {
        NodePayer payer = payer(Duration.ofMillis(100));
        AtomicBoolean reachable = new AtomicBoolean();
        // a plain lookup tells the payer of no new links: only the schedule can send it again
        payer.useLinks(id -> reachable.get() ? services.nodeLinks().apply(id) : Optional.empty());
        ArithmeticTestNode node = link(Keys.createEcKeyPair());
        job(payer, node.address(), 3);
        assertThat(payer.deliveredTo(node.address())).isZero();
        assertThat(node.payments()).isEmpty();

        reachable.set(true);

        await().atMost(Duration.ofSeconds(10)).until(() -> received(node).equals(List.of(tokens(3))));
        assertThat(payer.deliveredTo(node.address())).isEqualTo(tokens(3));
    }

    @Test
    void aLinkThatTakesNoVoucherLeavesItUndelivered() throws Exception {
        NodePayer payer = payer(NEVER);
        ArithmeticTestNode node = link(Keys.createEcKeyPair());
        NodeChannel refusing = new NodeChannel() {
            @Override
            public String nodeId() {
                return node.address();
            }

            @Override
            public boolean assign(io.gridshare.proto.v1.Assign assign, io.gridshare.gateway.job.NodeJobEvents events) {
                return false;
            }

            @Override
            public void credit(String jobId, int tokens) {
            }

            @Override
            public void cancel(String jobId, String reason) {
            }
        };
        payer.useLinks(id -> Optional.of(refusing)); // pay() left at its default: nothing sent

        job(payer, node.address(), 3);

        assertThat(payer.signedFor(node.address())).isEqualTo(tokens(3));
        assertThat(payer.deliveredTo(node.address())).isZero();
    }

    @Test
    void aVoucherSignedBeforeAGatewayRestartReachesTheNodeAfterIt() throws Exception {
        ECKeyPair key = Keys.createEcKeyPair();
        String nodeId = "0x" + Keys.getAddress(key.getPublicKey());
        NodePayer first = payer(NEVER);
        first.useLinks(services.nodeLinks());
        job(first, nodeId, 6); // the node never linked to this gateway before the restart
        first.close();

        NodePayer restarted = payer(Duration.ofMillis(100));
        restarted.useLinks(services.nodeLinks());
        ArithmeticTestNode node = link(key);

        await().atMost(Duration.ofSeconds(10)).until(() -> received(node).contains(tokens(6)));
        assertThat(restarted.signedFor(nodeId)).isEqualTo(tokens(6));
    }

    @Test
    void aNodeThatStaysAwayIsTriedLessAndLessOften() {
        NodePayer payer = payer(Duration.ofMillis(50));
        AtomicInteger lookups = new AtomicInteger();
        payer.useLinks(id -> {
            lookups.incrementAndGet();
            return Optional.empty();
        });
        job(payer, "0x" + "e".repeat(40), 2);

        // every 50 ms that is 30 tries in 1.5 s; doubling waits (50, 100, 200, 400, 800 ms) make it 6
        await().during(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(3)).until(() -> lookups.get() <= 8);
        assertThat(lookups.get()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void aClosedPayerStopsSendingAgain() throws Exception {
        NodePayer payer = payer(Duration.ofMillis(50));
        AtomicInteger lookups = new AtomicInteger();
        Function<String, Optional<NodeChannel>> nowhere = id -> {
            lookups.incrementAndGet();
            return Optional.empty();
        };
        payer.useLinks(nowhere);
        job(payer, "0x" + "d".repeat(40), 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> lookups.get() >= 3);

        payer.close();
        int atClose = lookups.get();

        await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(2)).until(() -> lookups.get() == atClose);
        payer.nodeLinked("0x" + "d".repeat(40)); // ignored once closed
        assertThat(lookups.get()).isEqualTo(atClose);
    }
}
