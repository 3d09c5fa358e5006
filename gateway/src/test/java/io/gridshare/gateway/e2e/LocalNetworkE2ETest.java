package io.gridshare.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gridshare.chain.contracts.Channel;
import io.gridshare.chain.voucher.Voucher;
import io.gridshare.chain.voucher.Vouchers;
import io.gridshare.client.ChannelKey;
import io.gridshare.client.GridshareClientException;
import io.gridshare.client.JobAccepted;
import io.gridshare.client.JobReceipt;
import io.gridshare.client.JobResult;
import io.gridshare.client.JobSpec;
import io.gridshare.client.TenantClient;
import io.gridshare.client.TokenChunk;
import io.gridshare.client.TokenListener;
import io.gridshare.client.VoucherSigner;
import io.gridshare.gateway.local.GatewayMember;
import io.gridshare.gateway.local.LocalModels;
import io.gridshare.gateway.local.LocalNetwork;
import io.gridshare.gateway.local.LocalNetworkSettings;
import io.gridshare.gateway.local.NodeMember;
import io.gridshare.gateway.payment.RawTenant;
import io.grpc.Status;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.web3j.crypto.Credentials;

/**
 * The whole local network, as the launcher starts it (anvil, two gateway JVMs, two node JVMs):
 * concurrent tenants, a node killed mid-stream, and — when the gateways run payments — every
 * on-chain balance to the unit.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LocalNetworkE2ETest {
    private static final String PROMPT = "Once upon a time";
    /** Well beyond the gateway's link credit and buffer, so a paused tenant leaves the node mid-job. */
    private static final int MAX_TOKENS = 160;
    /** The credit window the gateways run with here: tokens a tenant gets ahead of its latest voucher. */
    private static final int WINDOW = 16;
    private static final int[] TENANTS = {LocalNetwork.DEMO_TENANT, LocalNetwork.FILE_TENANT, 0};

    private LocalNetwork network;
    private GatewayMember gateway;
    private String reference;
    /** Every paid job since the network started, with the member it paid: what the chain must show. */
    private final List<PaidJob> paidJobs = new ArrayList<>();

    private record PaidJob(GatewayMember member, JobReceipt receipt) {}

    @BeforeAll
    void startNetwork(@org.junit.jupiter.api.io.TempDir Path state) {
        assumeTrue(gatewayAppPresent(), "the gateway's Helidon MP app (io.gridshare.gateway.cdi) is not in this "
                + "build yet; merge h-gateway to run the end-to-end test");
        Path repo = Path.of("..").toAbsolutePath().normalize();
        Path models = LocalModels.resolve(repo, System.out);
        LocalNetworkSettings settings = LocalNetworkSettings.defaults(state, models)
                .withCreditWindow(WINDOW, Duration.ofSeconds(3));
        network = LocalNetwork.start(settings, System.out);
        gateway = network.gateways().getFirst();
        ChannelKey channel = network.openChannel(0, gateway.key().address(), settings.tenantDeposit());
        try (TenantClient client = network.tenantClient(0, gateway)) {
            JobResult r = client.generate(greedy(channel), TokenListener.ignoring());
            reference = r.text();
            paidJobs.add(new PaidJob(gateway, r.receipt()));
        }
    }

    @AfterAll
    void stopNetwork() {
        if (network != null) {
            network.close();
        }
    }

    private static boolean gatewayAppPresent() {
        try {
            Class.forName("io.gridshare.gateway.cdi.GatewayProducers");
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static JobSpec greedy(ChannelKey channel) {
        JobSpec.Builder b = JobSpec.builder(LocalModels.MODEL, PROMPT).maxTokens(MAX_TOKENS).temperature(0f);
        return (channel == null ? b : b.channel(channel)).build();
    }

    private boolean paymentsActive() {
        ChannelKey probe = network.openChannel(0, gateway.key().address(), network.settings().tenantDeposit());
        try (TenantClient client = network.tenantClient(0, gateway)) {
            JobResult r = client.generate(JobSpec.builder(LocalModels.MODEL, PROMPT).maxTokens(4).temperature(0f)
                    .channel(probe).build(), TokenListener.ignoring());
            return r.paid().signum() > 0;
        }
    }

    @Test
    @Order(1)
    @DisplayName("three concurrent tenants each get the uninterrupted greedy text although a node is killed mid-stream")
    void threeTenantsSurviveANodeKilledMidStream() throws Exception {
        assertThat(reference).isNotBlank();
        List<ChannelKey> channels = new ArrayList<>();
        List<GatewayMember> members = new ArrayList<>();
        for (int i = 0; i < TENANTS.length; i++) {
            // the tenants spread over both members; each pays the member it talks to
            GatewayMember member = network.gateways().get(i % 2);
            members.add(member);
            channels.add(network.openChannel(TENANTS[i], member.key().address(), network.settings().tenantDeposit()));
        }
        CountDownLatch killed = new CountDownLatch(1);
        AtomicBoolean killedOnce = new AtomicBoolean();
        List<CompletableFuture<JobResult>> jobs = new ArrayList<>();
        for (int i = 0; i < TENANTS.length; i++) {
            int tenant = TENANTS[i];
            ChannelKey channel = channels.get(i);
            GatewayMember member = members.get(i);
            boolean victim = i == 0;
            jobs.add(CompletableFuture.supplyAsync(() -> {
                try (TenantClient client = network.tenantClient(tenant, member)) {
                    return client.generate(greedy(channel), new TokenListener() {
                        private String node;

                        @Override
                        public void onAccepted(JobAccepted accepted) {
                            node = accepted.nodeId();
                        }

                        @Override
                        public void onTokens(TokenChunk chunk) {
                            // the first tenant holds its first tokens until the node serving it is
                            // gone: the job is then certainly unfinished on that node
                            if (victim && killedOnce.compareAndSet(false, true)) {
                                killedName = nodeName(node);
                                network.kill(killedName);
                                killed.countDown();
                            }
                        }
                    });
                }
            }));
        }
        List<JobResult> results = new ArrayList<>();
        for (CompletableFuture<JobResult> job : jobs) {
            results.add(job.get(150, TimeUnit.SECONDS));
        }
        assertThat(killed.getCount()).isZero();
        for (JobResult r : results) {
            assertThat(r.text()).isEqualTo(reference);
            assertThat(r.completionTokens()).isEqualTo(MAX_TOKENS);
        }
        assertThat(results.getFirst().receipt().nodeIds()).hasSizeGreaterThanOrEqualTo(2);
        for (JobResult r : results) {
            assertThat(r.receipt().nodeTokens().values().stream().mapToInt(Integer::intValue).sum())
                    .as("the node shares of a receipt add up to its tokens").isEqualTo(r.completionTokens());
        }
        assertThat(results.getFirst().receipt().nodeTokens()).as("both nodes produced tokens of the victim's job")
                .hasSizeGreaterThanOrEqualTo(2).allSatisfy((node, tokens) -> assertThat(tokens).isPositive());
        if (results.getFirst().paid().signum() > 0) {
            for (int i = 0; i < results.size(); i++) {
                paidJobs.add(new PaidJob(members.get(i), results.get(i).receipt()));
            }
            // the killed node comes back with the vouchers it kept, and gets those it missed
            network.restartNode(killedName);
            checkBalances(channels, results);
        }
    }

    private volatile String killedName;

    private String nodeName(String nodeId) {
        return network.nodes().stream().filter(n -> n.key().address().equalsIgnoreCase(nodeId)).map(NodeMember::name)
                .findFirst().orElseThrow(() -> new AssertionError("no node with key " + nodeId));
    }

    /** Each tenant paid tokens × price, its channel's redemption moved exactly that, the rest came back. */
    private void checkBalances(List<ChannelKey> channels, List<JobResult> results) {
        BigInteger price = network.settings().tenantPricePerToken();
        for (int i = 0; i < TENANTS.length; i++) {
            JobResult r = results.get(i);
            BigInteger expected = price.multiply(BigInteger.valueOf(r.completionTokens()));
            assertThat(r.paid()).isEqualTo(expected);
            assertThat(r.receipt().amount()).isEqualTo(expected);
            ChannelKey channel = channels.get(i);
            assertThat(network.awaitRedeemed(channel, expected, Duration.ofSeconds(60))).isEqualTo(expected);
            String tenant = network.chain().account(TENANTS[i]).getAddress();
            BigInteger before = network.balance(tenant);
            network.closeChannel(TENANTS[i], channel);
            Channel closed = network.channel(channel);
            assertThat(closed.closed()).isTrue();
            assertThat(network.balance(tenant).subtract(before))
                    .as("refund at close").isEqualTo(network.settings().tenantDeposit().subtract(expected));
        }
        var channelsContract = network.contracts(network.chain().account(0)).paymentChannels();
        BigInteger feeBps = BigInteger.valueOf(channelsContract.feeBps());
        BigInteger nodePrice = network.settings().nodePricePerToken();
        BigInteger allRedeemed = BigInteger.ZERO;
        for (GatewayMember member : network.gateways()) {
            String payee = member.key().address();
            BigInteger fromTenants = BigInteger.ZERO;
            BigInteger toNodes = BigInteger.ZERO;
            int memberTokens = 0;
            for (NodeMember node : network.nodes()) {
                String nodeId = node.key().address();
                BigInteger share = BigInteger.ZERO;
                for (PaidJob job : paidJobs) {
                    if (job.member() == member) {
                        share = share.add(nodePrice.multiply(BigInteger.valueOf(tokensOf(job.receipt(), nodeId))));
                    }
                }
                BigInteger expected = share;
                BigInteger redeemed = awaitValue(() -> redeemedBetween(payee, nodeId), expected, Duration.ofSeconds(90));
                assertThat(redeemed).as(node.name() + "'s share from " + member.name()
                        + ": its tokens × the node price, redeemed from the member's channel to it").isEqualTo(expected);
                toNodes = toNodes.add(redeemed);
            }
            for (PaidJob job : paidJobs) {
                if (job.member() == member) {
                    memberTokens += job.receipt().tokens();
                }
            }
            fromTenants = redeemedBetween(null, payee);
            assertThat(fromTenants).as("what tenants paid " + member.name())
                    .isEqualTo(network.settings().tenantPricePerToken().multiply(BigInteger.valueOf(memberTokens)));
            assertThat(fromTenants.subtract(toNodes)).as(member.name() + "'s fee: its tokens × the gateway fee per token")
                    .isEqualTo(network.settings().gatewayFeePerToken().multiply(BigInteger.valueOf(memberTokens)));
            allRedeemed = allRedeemed.add(fromTenants).add(toNodes);
        }

        String treasury = channelsContract.treasury();
        BigInteger accrued = channelsContract.accruedFees(network.chain().deployment().gridToken());
        BigInteger treasuryBefore = network.balance(treasury);
        BigInteger collected = network.collectFees();
        assertThat(accrued).as("protocol fee: fee bps of every redemption, tenant → gateway and gateway → node")
                .isEqualTo(allRedeemed.multiply(feeBps).divide(BigInteger.valueOf(10_000)));
        // PaymentChannels keeps one base unit of accrued fees in its storage slot
        assertThat(collected).isEqualTo(accrued.subtract(BigInteger.ONE));
        assertThat(network.balance(treasury).subtract(treasuryBefore)).as("protocol fee paid to the treasury")
                .isEqualTo(collected);
    }

    private static int tokensOf(JobReceipt receipt, String nodeId) {
        return receipt.nodeTokens().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(nodeId))
                .mapToInt(Map.Entry::getValue).sum();
    }

    /** Redeemed in total over every channel {@code payer} (null: anyone) opened to {@code payee}. */
    private BigInteger redeemedBetween(String payer, String payee) {
        return network.channelsBetween(payer, payee).stream().map(Channel::redeemed)
                .reduce(BigInteger.ZERO, BigInteger::add);
    }

    /** Polls {@code value} until it reaches {@code expected} (settlement redeems in batches) or time runs out. */
    private static BigInteger awaitValue(java.util.function.Supplier<BigInteger> value, BigInteger expected,
                                         Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        BigInteger v = value.get();
        while (v.compareTo(expected) < 0 && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(250).toNanos());
            v = value.get();
        }
        return v;
    }

    @Test
    @Order(2)
    @DisplayName("a voucher signed by a key the channel does not name is rejected and the stream ends")
    void forgedVoucherIsRejected() {
        assumeTrue(paymentsActive(), "the gateways do not charge in this build (payments not merged)");
        ChannelKey channel = network.openChannel(LocalNetwork.DEMO_TENANT, gateway.key().address(),
                network.settings().tenantDeposit());
        Credentials forger = Credentials.create(org.web3j.crypto.ECKeyPair.create(new BigInteger("f00d5eed", 16)));
        VoucherSigner forged = new VoucherSigner() {
            @Override
            public String address() {
                return network.chain().account(LocalNetwork.DEMO_TENANT).getAddress();
            }

            @Override
            public Voucher sign(ChannelKey key, BigInteger amount) {
                return Vouchers.sign(key.domain(), key.channelId(), amount, forger);
            }
        };
        try (TenantClient client = network.tenantClient(gateway, forged)) {
            assertThatThrownBy(() -> client.generate(greedy(channel), TokenListener.ignoring()))
                    .isInstanceOf(GridshareClientException.class)
                    .hasMessageContaining("voucher rejected");
        }
        assertThat(network.channel(channel).redeemed()).isZero();
    }

    @Test
    @Order(3)
    @DisplayName("a tenant that stops signing is cut off after one window and owes nothing beyond the voucher it signed")
    void tenantThatStopsSigningIsCutOff() throws Exception {
        assumeTrue(paymentsActive(), "the gateways do not charge in this build (payments not merged)");
        ChannelKey channel = network.openChannel(LocalNetwork.FILE_TENANT, gateway.key().address(),
                network.settings().tenantDeposit());
        Credentials key = network.chain().account(LocalNetwork.FILE_TENANT);
        List<BigInteger> signed = new java.util.concurrent.CopyOnWriteArrayList<>();
        Status end;
        int received;
        try (RawTenant tenant = new RawTenant(gateway.grpcTarget(), channel)) {
            // pays the first PaymentDue, then never answers again (the stream stays open)
            tenant.start(PROMPT, MAX_TOKENS, (t, due) -> {
                if (signed.isEmpty()) {
                    BigInteger amount = new BigInteger(due.getCumulativeAmount().getBaseUnits());
                    signed.add(amount);
                    t.pay(amount, key);
                }
            });
            end = tenant.awaitEnd();
            received = tenant.tokens();
        }
        assertThat(end.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(end.getDescription()).startsWith("payment required");
        BigInteger paid = signed.getFirst();
        long paidTokens = paid.divide(network.settings().tenantPricePerToken()).longValueExact();
        assertThat(received).as("the paid tokens and at most one credit window more")
                .isBetween((int) paidTokens, (int) paidTokens + WINDOW).isLessThan(MAX_TOKENS);
        assertThat(network.awaitRedeemed(channel, paid, Duration.ofSeconds(60))).isEqualTo(paid);
        String tenantAddress = key.getAddress();
        BigInteger before = network.balance(tenantAddress);
        network.closeChannel(LocalNetwork.FILE_TENANT, channel);
        assertThat(network.channel(channel).redeemed()).as("nothing more was taken than the voucher signed")
                .isEqualTo(paid);
        assertThat(network.balance(tenantAddress).subtract(before)).as("the rest of the deposit came back")
                .isEqualTo(network.settings().tenantDeposit().subtract(paid));
    }

    @Test
    @Order(4)
    @DisplayName("a replayed voucher buys nothing: the tenant that resends its old voucher is cut off like one that stopped")
    void replayedVoucherIsNotCreditedTwice() throws Exception {
        assumeTrue(paymentsActive(), "the gateways do not charge in this build (payments not merged)");
        GatewayMember other = network.gateways().get(1);
        ChannelKey channel = network.openChannel(LocalNetwork.DEMO_TENANT, other.key().address(),
                network.settings().tenantDeposit());
        Credentials key = network.chain().account(LocalNetwork.DEMO_TENANT);
        List<io.gridshare.proto.v1.Voucher> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
        Status end;
        int received;
        try (RawTenant tenant = new RawTenant(other.grpcTarget(), channel)) {
            // answers every PaymentDue after the first with the first voucher again
            tenant.start(PROMPT, MAX_TOKENS, (t, due) -> {
                if (sent.isEmpty()) {
                    sent.add(t.pay(new BigInteger(due.getCumulativeAmount().getBaseUnits()), key));
                } else {
                    t.send(sent.getFirst());
                    sent.add(sent.getFirst());
                }
            });
            end = tenant.awaitEnd();
            received = tenant.tokens();
        }
        assertThat(sent).as("the tenant replayed its voucher").hasSizeGreaterThanOrEqualTo(2);
        assertThat(end.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        BigInteger paid = new BigInteger(sent.getFirst().getCumulativeAmount().getBaseUnits());
        long paidTokens = paid.divide(network.settings().tenantPricePerToken()).longValueExact();
        assertThat(received).as("a replay opens no further window").isLessThanOrEqualTo((int) paidTokens + WINDOW);
        assertThat(network.awaitRedeemed(channel, paid, Duration.ofSeconds(60))).isEqualTo(paid);
        network.closeChannel(LocalNetwork.DEMO_TENANT, channel);
        assertThat(network.channel(channel).redeemed()).isEqualTo(paid);
    }

    @Test
    @Order(5)
    @DisplayName("a gateway member restart keeps its unredeemed vouchers and redeems them afterwards")
    void gatewayRestartLosesNoVoucher() {
        assumeTrue(paymentsActive(), "the gateways do not charge in this build (payments not merged)");
        ChannelKey channel = network.openChannel(LocalNetwork.DEMO_TENANT, gateway.key().address(),
                network.settings().tenantDeposit());
        JobResult r;
        try (TenantClient client = network.tenantClient(LocalNetwork.DEMO_TENANT, gateway)) {
            r = client.generate(JobSpec.builder(LocalModels.MODEL, PROMPT).maxTokens(24).temperature(0f)
                    .channel(channel).build(), TokenListener.ignoring());
        }
        network.restartGateway(gateway.name());
        assertThat(network.awaitRedeemed(channel, r.highestSigned(), Duration.ofSeconds(60)))
                .isEqualTo(r.highestSigned());
    }
}
