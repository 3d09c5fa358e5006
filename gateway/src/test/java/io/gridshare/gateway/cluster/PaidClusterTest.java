package io.gridshare.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gridshare.chain.contracts.GridshareContracts;
import io.gridshare.chain.contracts.PaymentChannelsClient;
import io.gridshare.chain.local.LocalChain;
import io.gridshare.chain.settlement.Redemption;
import io.gridshare.chain.settlement.SettlementPolicy;
import io.gridshare.chain.tx.TransactionOptions;
import io.gridshare.chain.tx.TransactionSender;
import io.gridshare.chain.voucher.Voucher;
import io.gridshare.chain.voucher.Vouchers;
import io.gridshare.client.ChannelKey;
import io.gridshare.client.ChannelManager;
import io.gridshare.client.DepositSource;
import io.gridshare.client.InMemoryChannelLedger;
import io.gridshare.client.JobResult;
import io.gridshare.client.JobSpec;
import io.gridshare.client.TenantClient;
import io.gridshare.client.VoucherSigner;
import io.gridshare.gateway.payment.PaidNetwork;
import io.gridshare.gateway.config.GatewaySettings;
import io.gridshare.gateway.payment.GatewayPayments;
import io.gridshare.gateway.payment.NodePayer;
import io.gridshare.gateway.payment.PaymentSettings;
import io.gridshare.node.engine.InferenceEngine;
import io.gridshare.node.link.GatewayAddress;
import io.gridshare.node.link.LinkSettings;
import io.gridshare.node.link.NodeAgent;
import io.gridshare.node.link.NodeContext;
import io.gridshare.node.link.NodeKey;
import io.gridshare.node.link.NodeMetrics;
import io.gridshare.node.link.SlotPool;
import io.gridshare.node.payment.NodePayments;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * Real payments across a two-member cluster on a real anvil: the tenant pays member A, its job runs
 * on a real compute node (stories260K on the CPU engine) linked only to member B, and the node redeems
 * on-chain the vouchers member A signed and B carried to it.
 */
class PaidClusterTest {

    private static final BigInteger NODE_PRICE = BigInteger.valueOf(1_000);
    private static final BigInteger FEE = BigInteger.valueOf(250);
    private static final BigInteger TENANT_PRICE = NODE_PRICE.add(FEE);
    private static final int WINDOW = 8;

    private static LocalChain chain;
    private static InferenceEngine engine;

    @TempDir
    Path dir;
    private final List<GatewayPayments> payments = new ArrayList<>();
    private List<ClusterMember> members;
    private ClusterMember a;
    private ClusterMember b;
    private Credentials nodeKey;
    private NodePayments nodePayments;
    private NodeAgent node;

    @BeforeAll
    static void startChain() throws Exception {
        engine = PaidNetwork.stories260KOnCpu();
        chain = LocalChain.start();
    }

    @AfterAll
    static void stopChain() {
        if (chain != null) {
            chain.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    @BeforeEach
    void startCluster() throws Exception {
        long chainId = chain.deployment().chainId();
        // member A signs with account 1, member B with account 5: each pays nodes from its own key
        Credentials[] keys = {chain.account(1), chain.account(5)};
        members = ClusterMember.startCluster(2, s -> new GatewaySettings(s.gatewayId(), chainId, s.grpcHost(),
                s.grpcPort(), s.maxInboundMessageBytes(), s.maxPromptChars(), s.maxTokensLimit(), 16,
                // a node silent for 5 s leaves the grid: a cold JVM busy with its first paid job (the
                // real engine, anvil, two members on two cores) can miss a 1 s expiry
                s.maxTokensPerMessage(), s.maxFailovers(), s.heartbeatInterval(), Duration.ofSeconds(5),
                s.handshakeTimeout(), FEE, WINDOW), i -> {
                    GatewayPayments p = GatewayPayments.paid(contracts(chain.account(0)), keys[i],
                            PaymentSettings.defaults(dir.resolve("gateway-" + i))
                                    .withPaymentTimeout(Duration.ofSeconds(5))
                                    .withNodeChannel(BigInteger.valueOf(1_000_000), BigInteger.valueOf(100_000))
                                    .withNodeVoucherRedelivery(Duration.ofMillis(200)), WINDOW);
                    payments.add(p);
                    return p.meter();
                });
        a = members.get(0);
        b = members.get(1);

        nodeKey = chain.account(3);
        a.stakes.stake(nodeKey.getAddress(), ClusterMember.MIN_STAKE);
        b.stakes.stake(nodeKey.getAddress(), ClusterMember.MIN_STAKE);
        nodePayments = new NodePayments(channelsAs(nodeKey), nodeKey.getAddress(), dir.resolve("node"),
                SettlementPolicy.always(), null);
        node = startNode(nodePayments, b);
        await().atMost(Duration.ofSeconds(30)).until(node::linked);
        // member A schedules from its view of the grid: wait until it sees the node's model with a free slot
        await().atMost(Duration.ofSeconds(10)).until(() -> a.grid.models().stream()
                .anyMatch(m -> m.model().name().equals("stories260K") && m.freeSlots() > 0));
    }

    @AfterEach
    void stopCluster() {
        if (node != null) {
            node.close();
        }
        if (members != null) {
            members.forEach(ClusterMember::close);
        }
        payments.forEach(GatewayPayments::close);
        if (nodePayments != null) {
            nodePayments.close();
        }
    }

    private NodeAgent startNode(NodePayments payments, ClusterMember gateway) {
        NodeContext context = new NodeContext(new NodeKey(nodeKey), List.of(engine), new SlotPool(2), List::of,
                NODE_PRICE, "test", new NodeMetrics(), payments);
        return NodeAgent.start(context, List.of(GatewayAddress.parse("127.0.0.1:" + gateway.serveOnLoopback())),
                LinkSettings.defaults().withReconnect(Duration.ofMillis(50), Duration.ofMillis(200),
                        Duration.ofMillis(200)));
    }

    private static GridshareContracts contracts(Credentials as) {
        return GridshareContracts.as(chain.connection(), chain.deployment(), as, TransactionOptions.defaults());
    }

    private static PaymentChannelsClient channelsAs(Credentials key) {
        return new PaymentChannelsClient(chain.connection(),
                new TransactionSender(chain.connection(), key, TransactionOptions.defaults()),
                chain.deployment().paymentChannels());
    }

    private JobResult paidJob(int tokens) {
        Credentials tenantKey = chain.account(2);
        Credentials gatewayA = chain.account(1);
        ChannelKey channel = new ChannelManager(contracts(tenantKey), tenantKey, new InMemoryChannelLedger())
                .open(gatewayA.getAddress(), BigInteger.valueOf(1_000_000), tenantKey.getAddress(), false);
        JobResult result;
        try (TenantClient client = TenantClient.builder().target("127.0.0.1:" + a.serveOnLoopback())
                .signer(VoucherSigner.of(tenantKey)).ledger(new InMemoryChannelLedger())
                .deposits(DepositSource.onChain(channelsAs(tenantKey))).build()) {
            result = client.generate(JobSpec.builder("stories260K", "Once upon a time").maxTokens(tokens).seed(1L)
                    .channel(channel).build(), chunk -> { });
        }
        return result;
    }

    @Test
    void aNodeLinkedToMemberBRedeemsWhatMemberAPaidItForATenantOfA() {
        Credentials gatewayA = chain.account(1);
        JobResult result = paidJob(40);
        assertThat(result.receipt().tokens()).isEqualTo(40);
        assertThat(result.receipt().nodeIds()).containsExactly(nodeKey.getAddress().toLowerCase());
        assertThat(result.paid()).isEqualTo(TENANT_PRICE.multiply(BigInteger.valueOf(40)));

        BigInteger earned = NODE_PRICE.multiply(BigInteger.valueOf(40));
        NodePayer payerA = payments.get(0).nodePayer().orElseThrow();
        payerA.flush();
        BigInteger channelToNode = payerA.channelOf(nodeKey.getAddress()).orElseThrow();
        assertThat(payerA.signedFor(nodeKey.getAddress())).isEqualTo(earned);
        await().atMost(Duration.ofSeconds(10)).until(() -> payerA.deliveredTo(nodeKey.getAddress()).equals(earned));
        assertThat(payments.get(1).nodePayer().orElseThrow().owed(nodeKey.getAddress()))
                .as("member B, which holds the link, owes the node nothing").isZero();

        // the node verified and kept A's voucher, which B carried over its link
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            nodePayments.flush();
            assertThat(nodePayments.settlement().latest(channelToNode).map(Voucher::cumulativeAmount))
                    .contains(earned);
        });
        Voucher kept = nodePayments.settlement().latest(channelToNode).orElseThrow();
        PaymentChannelsClient channels = channelsAs(nodeKey);
        assertThat(Vouchers.recoverSigner(channels.domain(), kept)).isEqualToIgnoringCase(gatewayA.getAddress());

        BigInteger before = contracts(nodeKey).gridToken().balanceOf(nodeKey.getAddress());
        List<Redemption> redeemed = nodePayments.settleAll();

        assertThat(redeemed).singleElement().satisfies(r -> assertThat(r.cumulativeAmount()).isEqualTo(earned));
        assertThat(channels.channel(channelToNode).redeemed()).isEqualTo(earned);
        BigInteger fee = earned.multiply(BigInteger.valueOf(channels.feeBps())).divide(BigInteger.valueOf(10_000));
        assertThat(contracts(nodeKey).gridToken().balanceOf(nodeKey.getAddress()))
                .as("the node's tokens × its price, less the protocol fee (it pays its gas in ETH)")
                .isEqualTo(before.add(earned).subtract(fee));
    }

    @Test
    void aNodeThatRestartsAndLinksToTheOtherMemberGetsTheVoucherSignedWhileItWasDown() {
        paidJob(40);
        NodePayer payerA = payments.get(0).nodePayer().orElseThrow();
        payerA.flush();
        BigInteger channelToNode = payerA.channelOf(nodeKey.getAddress()).orElseThrow();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            nodePayments.flush();
            assertThat(nodePayments.settlement().latest(channelToNode)).isPresent();
        });
        node.close();
        nodePayments.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.grid.node(nodeKey.getAddress()).isEmpty());

        // what member A still owes the node when its job ends while the node is down
        payerA.produced(nodeKey.getAddress(), 5, NODE_PRICE);
        payerA.jobEnded(List.of(nodeKey.getAddress()));
        payerA.flush();
        BigInteger owed = NODE_PRICE.multiply(BigInteger.valueOf(45));
        assertThat(payerA.signedFor(nodeKey.getAddress())).isEqualTo(owed);
        assertThat(payerA.deliveredTo(nodeKey.getAddress())).isLessThan(owed);

        // the node restarts from its settlement directory and links to member A this time
        nodePayments = new NodePayments(channelsAs(nodeKey), nodeKey.getAddress(), dir.resolve("node"),
                SettlementPolicy.always(), null);
        node = startNode(nodePayments, a);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            nodePayments.flush();
            assertThat(nodePayments.settlement().latest(channelToNode).map(Voucher::cumulativeAmount))
                    .contains(owed);
        });
        assertThat(nodePayments.settleAll()).singleElement()
                .satisfies(r -> assertThat(r.cumulativeAmount()).isEqualTo(owed));
        assertThat(channelsAs(nodeKey).channel(channelToNode).redeemed()).isEqualTo(owed);
    }
}
