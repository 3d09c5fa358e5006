package io.gridshare.gateway.payment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gridshare.chain.contracts.Channel;
import io.gridshare.chain.contracts.GridTokenClient;
import io.gridshare.chain.contracts.GridshareContracts;
import io.gridshare.chain.contracts.PaymentChannelsClient;
import io.gridshare.chain.local.LocalChain;
import io.gridshare.chain.settlement.Redemption;
import io.gridshare.chain.settlement.SettlementPolicy;
import io.gridshare.chain.settlement.SettlementService;
import io.gridshare.chain.voucher.Voucher;
import io.gridshare.client.ChannelKey;
import io.gridshare.client.ChannelManager;
import io.gridshare.client.DepositSource;
import io.gridshare.client.InMemoryChannelLedger;
import io.gridshare.client.JobResult;
import io.gridshare.client.JobSpec;
import io.gridshare.client.TenantClient;
import io.gridshare.client.VoucherSigner;
import io.gridshare.node.engine.InferenceEngine;
import io.gridshare.node.link.NodeAgent;
import io.gridshare.node.payment.NodePayments;
import io.grpc.Status;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;

/**
 * Paid streams end to end on a real anvil: a real tenant client, a paid gateway and a real compute
 * node (stories260K on the CPU engine) that the gateway pays through its own channel.
 */
class PaidStreamTest {

    private static final BigInteger TENANT_DEPOSIT = BigInteger.valueOf(1_000_000);
    private static final Duration PAYMENT_TIMEOUT = Duration.ofMillis(1500);

    private static LocalChain chain;
    private static InferenceEngine engine;

    @TempDir
    Path dir;
    private PaidNetwork network;
    private Credentials tenantKey;
    private GridshareContracts contracts;

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
    void startNetwork() {
        network = new PaidNetwork(chain, engine, dir.resolve("gateway"), dir.resolve("node"), PAYMENT_TIMEOUT);
        contracts = network.contracts();
        tenantKey = chain.account(2);
        await().atMost(Duration.ofSeconds(30)).until(network.node::linked);
    }

    @AfterEach
    void stopNetwork() {
        if (network != null) {
            network.close();
        }
    }

    private ChannelKey openChannel(String payee, BigInteger deposit) {
        return new ChannelManager(contracts, tenantKey, new InMemoryChannelLedger())
                .open(payee, deposit, tenantKey.getAddress(), false);
    }

    private TenantClient client() {
        return TenantClient.builder().target(network.target()).signer(VoucherSigner.of(tenantKey))
                .ledger(new InMemoryChannelLedger())
                .deposits(DepositSource.onChain(network.channelsAs(tenantKey))).build();
    }

    private BigInteger grid(String account) {
        return contracts.gridToken().balanceOf(account);
    }

    @Test
    void theTenantPaysTokensTimesPriceTheNodeItsTokensTimesItsPriceAndEveryBalanceAddsUpToTheUnit() {
        String gateway = network.gatewayKey.getAddress();
        String node = network.nodeKey.getAddress();
        String tenant = tenantKey.getAddress();
        PaymentChannelsClient channels = contracts.paymentChannels();
        String treasury = channels.treasury();
        GridTokenClient token = contracts.gridToken();
        BigInteger tenantBefore = grid(tenant);
        BigInteger gatewayBefore = grid(gateway);
        BigInteger nodeBefore = grid(node);
        BigInteger treasuryBefore = grid(treasury).add(channels.accruedFees(token.address()));

        ChannelKey channel = openChannel(gateway, TENANT_DEPOSIT);
        JobResult first;
        JobResult second;
        try (TenantClient client = client()) {
            first = client.generate(JobSpec.builder("stories260K", "Once upon a time").maxTokens(40).seed(1L)
                    .channel(channel).build(), chunk -> { });
            second = client.generate(JobSpec.builder("stories260K", "The cat").maxTokens(25).seed(2L)
                    .channel(channel).build(), chunk -> { });
        }
        long tokens = first.receipt().tokens() + second.receipt().tokens();
        BigInteger tenantPaid = PaidNetwork.TENANT_PRICE.multiply(BigInteger.valueOf(tokens));
        assertThat(first.receipt().tokens()).isEqualTo(40);
        assertThat(first.paid()).isEqualTo(PaidNetwork.TENANT_PRICE.multiply(BigInteger.valueOf(40)));
        assertThat(second.paid()).isEqualTo(PaidNetwork.TENANT_PRICE.multiply(BigInteger.valueOf(second.receipt().tokens())));
        assertThat(first.receipt().nodeIds()).containsExactly(node);
        assertThat(first.receipt().modelHash()).isEqualTo(engine.model().modelHash());
        assertThat(first.accepted().payee()).isEqualToIgnoringCase(gateway);
        SettlementService gatewaySettlement = network.payments.settlement().orElseThrow();
        assertThat(gatewaySettlement.latest(channel.channelId()).map(Voucher::cumulativeAmount)).contains(tenantPaid);

        BigInteger nodeEarned = PaidNetwork.NODE_PRICE.multiply(BigInteger.valueOf(tokens));
        network.nodePayer().flush();
        BigInteger nodeChannel = network.nodePayer().channelOf(node).orElseThrow();
        // the last voucher is on its way over the link: wait until the node has verified and kept it
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            network.nodePayments.flush();
            assertThat(network.nodePayments.settlement().latest(nodeChannel).map(Voucher::cumulativeAmount))
                    .contains(nodeEarned);
        });
        assertThat(network.nodePayments.earned()).isEqualTo(nodeEarned);

        List<Redemption> gatewayRedeemed = gatewaySettlement.settleAll();
        List<Redemption> nodeRedeemed = network.nodePayments.settleAll();
        assertThat(gatewayRedeemed).singleElement().satisfies(r -> assertThat(r.cumulativeAmount()).isEqualTo(tenantPaid));
        assertThat(nodeRedeemed).singleElement().satisfies(r -> assertThat(r.cumulativeAmount()).isEqualTo(nodeEarned));
        assertThat(network.nodePayments.redeemed()).isEqualTo(nodeEarned);

        contracts.as(tenantKey).paymentChannels().startClose(channel.channelId());
        contracts.as(network.gatewayKey).paymentChannels().startClose(nodeChannel);
        chain.increaseTime(channels.challengePeriod() + 1);
        contracts.as(tenantKey).paymentChannels().finalizeClose(channel.channelId());
        contracts.as(network.gatewayKey).paymentChannels().finalizeClose(nodeChannel);
        channels.collectFees(token.address());

        BigInteger tenantFee = tenantPaid.multiply(BigInteger.valueOf(channels.feeBps())).divide(BigInteger.valueOf(10_000));
        BigInteger nodeFee = nodeEarned.multiply(BigInteger.valueOf(channels.feeBps())).divide(BigInteger.valueOf(10_000));
        assertThat(gatewayRedeemed.getFirst().fee()).isEqualTo(tenantFee);
        assertThat(nodeRedeemed.getFirst().fee()).isEqualTo(nodeFee);
        assertThat(grid(tenant)).as("tenant: deposit back less exactly tokens × price").isEqualTo(tenantBefore.subtract(tenantPaid));
        assertThat(grid(node)).as("node: its tokens × its price, less the protocol fee")
                .isEqualTo(nodeBefore.add(nodeEarned).subtract(nodeFee));
        assertThat(grid(gateway)).as("gateway: the tenant's payment less the fee, less what it paid the node")
                .isEqualTo(gatewayBefore.add(tenantPaid).subtract(tenantFee).subtract(nodeEarned));
        // collectFees leaves one base unit in the contract (its storage slot never returns to zero)
        assertThat(channels.accruedFees(token.address())).isEqualTo(BigInteger.ONE);
        assertThat(grid(treasury).add(BigInteger.ONE)).as("treasury: the protocol fee of both redemptions")
                .isEqualTo(treasuryBefore.add(tenantFee).add(nodeFee));
        Channel closed = channels.channel(channel.channelId());
        assertThat(closed.closed()).isTrue();
        assertThat(closed.redeemed()).isEqualTo(tenantPaid);
    }

    @Test
    void afterAFailoverEachNodeIsPaidExactlyForTheTokensItProduced() throws Exception {
        Credentials secondKey = chain.account(4);
        try (NodePayments secondPayments = new NodePayments(network.channelsAs(secondKey), secondKey.getAddress(),
                dir.resolve("node-2"), SettlementPolicy.always(), null);
             NodeAgent second = network.startNode(secondKey, engine, secondPayments)) {
            await().atMost(Duration.ofSeconds(30)).until(second::linked);
            ChannelKey channel = openChannel(network.gatewayKey.getAddress(), TENANT_DEPOSIT);
            AtomicInteger dues = new AtomicInteger();
            try (RawTenant tenant = new RawTenant(network.target(), channel)) {
                tenant.start("Once upon a time", 60, (t, due) -> {
                    BigInteger amount = new BigInteger(due.getCumulativeAmount().getBaseUnits());
                    if (dues.getAndIncrement() > 0) {
                        t.pay(amount, tenantKey);
                        return;
                    }
                    // the job is at its first PaymentDue: its first node dies before the tenant pays
                    Thread.ofVirtual().start(() -> {
                        String first = t.received.getFirst().getAccepted().getNodeId();
                        (first.equalsIgnoreCase(network.nodeKey.getAddress()) ? network.node : second).close();
                        t.pay(amount, tenantKey);
                    });
                });
                assertThat(tenant.awaitEnd().getCode()).isEqualTo(Status.Code.OK);
                var receipt = tenant.received.getLast().getCompleted().getReceipt();
                assertThat(receipt.getTokens()).isEqualTo(60);
                assertThat(receipt.getNodeIdsList()).hasSize(2);

                NodePayer payer = network.nodePayer();
                payer.flush();
                BigInteger firstOwed = payer.owed(receipt.getNodeIds(0));
                BigInteger secondOwed = payer.owed(receipt.getNodeIds(1));
                assertThat(firstOwed.signum()).isPositive();
                assertThat(secondOwed.signum()).isPositive();
                assertThat(firstOwed.add(secondOwed)).isEqualTo(PaidNetwork.NODE_PRICE.multiply(BigInteger.valueOf(60)));
                NodeAgent survivor = receipt.getNodeIds(1).equalsIgnoreCase(secondKey.getAddress()) ? second : network.node;
                assertThat(secondOwed).as("the node that finished the job is paid for exactly the tokens it made")
                        .isEqualTo(PaidNetwork.NODE_PRICE.multiply(BigInteger.valueOf(survivor.node().metrics().tokens())));
                NodePayments survivorPayments = survivor == second ? secondPayments : network.nodePayments;
                // the voucher is on its way over the link: wait until the node has verified and kept it
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    survivorPayments.flush();
                    assertThat(survivorPayments.earned()).isEqualTo(secondOwed);
                });
            }
        }
    }

    @Test
    void aTenantThatStopsSigningIsPausedAtTheWindowThenCutOffAndOwesNothingMore() throws Exception {
        ChannelKey channel = openChannel(network.gatewayKey.getAddress(), TENANT_DEPOSIT);
        AtomicInteger dues = new AtomicInteger();
        try (RawTenant tenant = new RawTenant(network.target(), channel)) {
            tenant.start("Once upon a time", 100, (t, due) -> {
                if (dues.getAndIncrement() == 0) {
                    t.pay(new BigInteger(due.getCumulativeAmount().getBaseUnits()), tenantKey);
                }
            });
            Status end = tenant.awaitEnd();

            assertThat(end.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(end.getDescription()).startsWith("payment required: no voucher for");
            int paidTokens = (PaidNetwork.WINDOW + 1) / 2;
            assertThat(tenant.tokens()).as("paid tokens + one window, not one more").isEqualTo(paidTokens + PaidNetwork.WINDOW);
            assertThat(network.payments.settlement().orElseThrow().latest(channel.channelId()).map(Voucher::cumulativeAmount))
                    .contains(PaidNetwork.TENANT_PRICE.multiply(BigInteger.valueOf(paidTokens)));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> network.node.node().slots().free() == 2);
    }

    @Test
    void aForgedVoucherEndsTheStreamWithPermissionDeniedAndIsNotStored() throws Exception {
        ChannelKey channel = openChannel(network.gatewayKey.getAddress(), TENANT_DEPOSIT);
        Credentials forger = Credentials.create(Keys.createEcKeyPair());
        try (RawTenant tenant = new RawTenant(network.target(), channel)) {
            tenant.start("Once upon a time", 60, (t, due) ->
                    t.pay(new BigInteger(due.getCumulativeAmount().getBaseUnits()), forger));
            Status end = tenant.awaitEnd();

            assertThat(end.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(end.getDescription()).startsWith("voucher rejected:").contains("signer");
            assertThat(network.payments.settlement().orElseThrow().latest(channel.channelId())).isEmpty();
        }
    }

    @Test
    void aReplayedVoucherCountsOnce() throws Exception {
        ChannelKey channel = openChannel(network.gatewayKey.getAddress(), TENANT_DEPOSIT);
        AtomicInteger dues = new AtomicInteger();
        try (RawTenant tenant = new RawTenant(network.target(), channel)) {
            tenant.start("Once upon a time", 100, (t, due) -> {
                if (dues.getAndIncrement() == 0) {
                    var voucher = t.pay(new BigInteger(due.getCumulativeAmount().getBaseUnits()), tenantKey);
                    t.send(voucher);
                    t.send(voucher);
                }
            });
            Status end = tenant.awaitEnd();

            // credited twice, the replays would have let more tokens through before the window closed
            assertThat(end.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(tenant.tokens()).isEqualTo((PaidNetwork.WINDOW + 1) / 2 + PaidNetwork.WINDOW);
        }
    }

    @Test
    void aVoucherBeyondTheDepositIsRefused() throws Exception {
        BigInteger deposit = PaidNetwork.TENANT_PRICE.multiply(BigInteger.valueOf(PaidNetwork.WINDOW * 2L));
        ChannelKey channel = openChannel(network.gatewayKey.getAddress(), deposit);
        try (RawTenant tenant = new RawTenant(network.target(), channel)) {
            tenant.start("Once upon a time", 60, (t, due) -> t.pay(deposit.add(BigInteger.ONE), tenantKey));
            Status end = tenant.awaitEnd();

            assertThat(end.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(end.getDescription()).startsWith("voucher rejected:").contains("deposit");
            assertThat(network.payments.settlement().orElseThrow().latest(channel.channelId())).isEmpty();
        }
    }

    @Test
    void aJobOnAChannelToAnotherPayeeIsRefusedWithWhatToDo() throws Exception {
        ChannelKey channel = openChannel(chain.account(4).getAddress(), TENANT_DEPOSIT);
        try (RawTenant tenant = new RawTenant(network.target(), channel)) {
            tenant.start("Once upon a time", 10, (t, due) -> { });
            Status end = tenant.awaitEnd();

            assertThat(end.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(end.getDescription()).contains("not this gateway")
                    .containsIgnoringCase(network.gatewayKey.getAddress());
            assertThat(tenant.tokens()).isZero();
        }
    }

    @Test
    void aGatewayRestartLosesNoVoucherAndRedeemsNothingTwice() {
        ChannelKey channel = openChannel(network.gatewayKey.getAddress(), TENANT_DEPOSIT);
        JobResult result;
        try (TenantClient client = client()) {
            result = client.generate(JobSpec.builder("stories260K", "Once upon a time").maxTokens(30).seed(3L)
                    .channel(channel).build(), chunk -> { });
        }
        BigInteger paid = result.paid();
        network.close();
        network = null;
        PaymentChannelsClient asGateway = network().channelsAs(chain.account(1));
        Path vouchers = dir.resolve("gateway").resolve("tenant-vouchers");
        String payee = chain.account(1).getAddress();

        try (SettlementService restarted = new SettlementService(asGateway, payee, vouchers, SettlementPolicy.always())) {
            assertThat(restarted.latest(channel.channelId()).map(Voucher::cumulativeAmount)).contains(paid);
            assertThat(restarted.settleAll()).singleElement()
                    .satisfies(r -> assertThat(r.cumulativeAmount()).isEqualTo(paid));
        }
        try (SettlementService again = new SettlementService(asGateway, payee, vouchers, SettlementPolicy.always())) {
            assertThat(again.settleAll()).isEmpty();
            assertThat(again.redemptions()).hasSize(1);
        }
        assertThat(asGateway.channel(channel.channelId()).redeemed()).isEqualTo(paid);
    }

    /** Chain helpers that outlive the closed network. */
    private ChainAccess network() {
        return new ChainAccess();
    }

    private final class ChainAccess {
        PaymentChannelsClient channelsAs(Credentials key) {
            return new PaymentChannelsClient(chain.connection(),
                    new io.gridshare.chain.tx.TransactionSender(chain.connection(), key,
                            io.gridshare.chain.tx.TransactionOptions.defaults()),
                    chain.deployment().paymentChannels());
        }
    }
}
