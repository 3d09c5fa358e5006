package io.gridshare.node.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gridshare.node.gpu.GpuDevice;
import io.gridshare.proto.v1.Amount;
import io.gridshare.proto.v1.Assign;
import io.gridshare.proto.v1.ChannelRef;
import io.gridshare.proto.v1.FinishReason;
import io.gridshare.proto.v1.Hello;
import io.gridshare.proto.v1.JobDone;
import io.gridshare.proto.v1.JobFailed;
import io.gridshare.proto.v1.RejectReason;
import io.gridshare.proto.v1.Voucher;
import io.grpc.Status;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

/** The node's link against a gateway that speaks the real protocol over real gRPC on loopback. */
class GatewayLinkTest {

    private static final Credentials KEY =
            Credentials.create("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
    private static final GpuDevice GPU = new GpuDevice(0, "Test GPU", 8L << 30, 6L << 30, "GPU-1234", 8, 9);
    // generous: the build machine is shared and often heavily loaded
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<Voucher> vouchers = new CopyOnWriteArrayList<>();
    private TestGateway gateway;
    private ScriptedEngine engine;
    private NodeContext node;

    private static LinkSettings fastSettings() {
        return LinkSettings.defaults()
                .withReconnect(Duration.ofMillis(100), Duration.ofMillis(400), Duration.ofMillis(200))
                .withHandshakeTimeout(Duration.ofSeconds(20));
    }

    @BeforeEach
    void startGateway() throws Exception {
        gateway = new TestGateway().register(KEY.getAddress()).heartbeatIntervalMs(100);
        closeables.add(gateway);
    }

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(closeables);
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private NodeAgent startNode(int slots, boolean paced, TestGateway... gateways) {
        return startNode(slots, paced, fastSettings(), gateways);
    }

    private NodeAgent startNode(int slots, boolean paced, LinkSettings settings, TestGateway... gateways) {
        engine = new ScriptedEngine("stories-test", slots, paced);
        node = new NodeContext(new NodeKey(KEY), List.of(engine), new SlotPool(slots), () -> List.of(GPU),
                BigInteger.valueOf(1_500), "0.1.0-test", new NodeMetrics(), (gw, payee, v) -> vouchers.add(v));
        List<GatewayAddress> addresses = new ArrayList<>();
        for (TestGateway g : gateways) {
            addresses.add(g.address());
        }
        NodeAgent agent = NodeAgent.start(node, addresses, settings);
        closeables.add(agent);
        return agent;
    }

    private TestGateway.Connection linkedConnection(TestGateway g) {
        await().atMost(WAIT).until(() -> g.connections().stream().anyMatch(c -> c.welcomed));
        return g.linked();
    }

    private Assign.Builder assign(String jobId, int maxTokens, long seed) {
        return Assign.newBuilder().setJobId(jobId).setModelHash(engine.model().modelHash()).setPrompt("Once upon a time")
                .setMaxTokens(maxTokens).setTemperature(0).setTopP(1).setSeed(seed).setInitialCredit(10_000);
    }

    @Test
    @DisplayName("the node answers the challenge with a Hello signed by its key, listing GPUs, models, price and slots")
    void handshakeSendsSignedHello() {
        NodeAgent agent = startNode(4, false, gateway);
        TestGateway.Connection c = linkedConnection(gateway);

        Hello hello = c.hello;
        assertThat(c.recoveredSigner).isEqualToIgnoringCase(KEY.getAddress());
        assertThat(hello.getNodeKey()).isEqualTo(KEY.getAddress());
        assertThat(hello.getGpusList()).singleElement().satisfies(g -> {
            assertThat(g.getName()).isEqualTo("Test GPU");
            assertThat(g.getTotalMemoryBytes()).isEqualTo(8L << 30);
            assertThat(g.getUuid()).isEqualTo("GPU-1234");
            assertThat(g.getComputeCapabilityMajor()).isEqualTo(8);
        });
        assertThat(hello.getModelsList()).singleElement().satisfies(m -> {
            assertThat(m.getModelHash()).isEqualTo(engine.model().modelHash());
            assertThat(m.getName()).isEqualTo("stories-test");
            assertThat(m.getContextLength()).isEqualTo(ScriptedEngine.CONTEXT);
            assertThat(m.getSlotMemoryBytes()).isEqualTo(1_048_576);
            assertThat(m.getArchitecture()).isEqualTo("qwen2");
            assertThat(m.getParameters()).isEqualTo(494_032_768L);
            assertThat(m.getQuantization()).isEqualTo("Q8_0 ×169");
            assertThat(m.getChat()).isTrue();
        });
        assertThat(hello.getPricePerToken().getBaseUnits()).isEqualTo("1500");
        assertThat(hello.getTotalSlots()).isEqualTo(4);
        assertThat(hello.getFreeSlots()).isEqualTo(4);
        assertThat(hello.getVersion()).isEqualTo("0.1.0-test");
        assertThat(hello.getBackend()).isEqualTo("cpu");
        await().atMost(WAIT).until(() -> agent.links().getFirst().state() == LinkState.LINKED);
        assertThat(agent.links().getFirst().gatewayId()).isEqualTo(TestGateway.GATEWAY_ID);
    }

    @Test
    @DisplayName("an unregistered node is rejected, retries after the rejected-retry delay, and links once registered")
    void notRegisteredIsRetried() throws Exception {
        try (TestGateway strict = new TestGateway().heartbeatIntervalMs(100)) {
            NodeAgent agent = startNode(2, false, strict);
            GatewayLink link = agent.links().getFirst();

            await().atMost(WAIT).until(() -> strict.connections().size() >= 2);
            assertThat(strict.connection(0).rejected).isTrue();
            assertThat(link.lastRejection().reason()).isEqualTo(RejectReason.REJECT_REASON_NOT_REGISTERED);
            assertThat(link.lastBackoff()).isEqualTo(Duration.ofMillis(200));

            strict.register(KEY.getAddress());
            await().atMost(WAIT).until(() -> link.state() == LinkState.LINKED);
            assertThat(link.lastRejection()).isNull();
        }
    }

    @Test
    @DisplayName("a bad-signature rejection stops the link for good instead of hot-looping")
    void badSignatureStopsTheLink() {
        gateway.expectWrongSignatureText();
        NodeAgent agent = startNode(2, false, gateway);
        GatewayLink link = agent.links().getFirst();

        await().atMost(WAIT).until(() -> link.state() == LinkState.REJECTED);
        assertThat(link.lastRejection().reason()).isEqualTo(RejectReason.REJECT_REASON_BAD_SIGNATURE);
        // ten times the reconnect ceiling passes without a second dial
        await().during(Duration.ofMillis(1_000)).atMost(Duration.ofSeconds(3))
                .until(() -> gateway.connections().size() == 1);
        assertThat(node.metrics().rejections())
                .containsEntry(gateway.address() + "\u0000REJECT_REASON_BAD_SIGNATURE", 1L);
    }

    @Test
    @DisplayName("heartbeats arrive at the interval the gateway asked for and report free slots")
    void heartbeatsFollowTheInterval() {
        startNode(3, false, gateway);
        TestGateway.Connection c = linkedConnection(gateway);

        await().atMost(WAIT).until(() -> c.heartbeatNanos.size() >= 8);
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < c.heartbeatNanos.size(); i++) {
            gaps.add((c.heartbeatNanos.get(i) - c.heartbeatNanos.get(i - 1)) / 1_000_000);
        }
        Collections.sort(gaps);
        long median = gaps.get(gaps.size() / 2);
        assertThat(median).as("median heartbeat gap in ms, interval 100 ms").isBetween(50L, 300L);
        assertThat(c.heartbeats.getLast().getFreeSlots()).isEqualTo(3);
        assertThat(c.heartbeats.getLast().getLoad()).isZero();
        assertThat(c.heartbeats.getLast().getFreeVramBytes()).isEqualTo(6L << 30);
    }

    @Test
    @DisplayName("a chat Assign reaches the engine as a JobRequest carrying its messages and an empty prompt")
    void chatAssignBecomesAJobRequestWithMessages() {
        startNode(2, false, gateway);
        TestGateway.Connection c = linkedConnection(gateway);

        c.assign(assign("chat-1", 5, 3).clearPrompt()
                .addMessages(io.gridshare.proto.v1.ChatMessage.newBuilder().setRole("system").setContent("Be brief."))
                .addMessages(io.gridshare.proto.v1.ChatMessage.newBuilder().setRole("user").setContent("Hi")).build());

        await().atMost(WAIT).until(() -> c.done.containsKey("chat-1"));
        assertThat(engine.submitted).singleElement().satisfies(r -> {
            assertThat(r.prompt()).isEmpty();
            assertThat(r.isChat()).isTrue();
            assertThat(r.messages()).containsExactly(new io.gridshare.node.chat.ChatMessage("system", "Be brief."),
                    new io.gridshare.node.chat.ChatMessage("user", "Hi"));
        });
    }

    @Test
    @DisplayName("an assigned job streams its tokens in order and ends with JobDone and usage")
    void assignedJobStreamsTokensAndDone() {
        startNode(2, false, gateway);
        TestGateway.Connection c = linkedConnection(gateway);

        c.assign(assign("job-1", 40, 7).build());

        await().atMost(WAIT).until(() -> c.done.containsKey("job-1"));
        JobDone done = c.done.get("job-1");
        assertThat(done.getFinishReason()).isEqualTo(FinishReason.FINISH_REASON_LENGTH);
        assertThat(done.getUsage().getCompletionTokens()).isEqualTo(40);
        assertThat(c.tokenIds("job-1")).isEqualTo(ScriptedEngine.expected(7, 40));
        assertThat(c.firstIndex("job-1")).isZero();
        assertThat(c.text("job-1")).startsWith("<" + ScriptedEngine.tokenId(7, 0) + "><");
        assertThat(node.metrics().tokens()).isEqualTo(40);
        await().atMost(WAIT).until(() -> node.slots().free() == 2);
    }

    @Test
    @DisplayName("a resumed job continues after the emitted tokens and numbers its tokens from their count")
    void resumedJobContinuesAfterEmittedTokens() {
        startNode(2, false, gateway);
        TestGateway.Connection c = linkedConnection(gateway);
        List<Integer> full = ScriptedEngine.expected(11, 20);

        c.assign(assign("job-r", 20, 11).addAllEmittedTokenIds(full.subList(0, 6)).build());

        await().atMost(WAIT).until(() -> c.done.containsKey("job-r"));
        assertThat(c.firstIndex("job-r")).isEqualTo(6);
        assertThat(c.tokenIds("job-r")).isEqualTo(full.subList(6, 20));
    }

    @Test
    @DisplayName("a job out of credit pauses alone: another job finishes and heartbeats go on")
    void creditPausesOnlyItsJob() {
        startNode(4, false, gateway);
        TestGateway.Connection c = linkedConnection(gateway);

        c.assign(assign("slow", 30, 1).setInitialCredit(3).build());
        c.assign(assign("fast", 30, 2).setInitialCredit(100).build());

        await().atMost(WAIT).until(() -> c.done.containsKey("fast"));
        assertThat(c.tokenIds("fast")).hasSize(30);
        int heartbeatsBefore = c.heartbeats.size();
        await().atMost(WAIT).until(() -> c.heartbeats.size() >= heartbeatsBefore + 3);
        assertThat(c.tokenCount("slow")).isEqualTo(3);
        assertThat(c.done).doesNotContainKey("slow");
        assertThat(c.heartbeats.getLast().getActiveJobs()).isEqualTo(1);

        c.credit("slow", 4);
        await().atMost(WAIT).until(() -> c.tokenCount("slow") == 7);
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> c.tokenCount("slow") == 7);

        c.credit("slow", 100);
        await().atMost(WAIT).until(() -> c.done.containsKey("slow"));
        assertThat(c.tokenIds("slow")).isEqualTo(ScriptedEngine.expected(1, 30));
    }

    @Test
    @DisplayName("a job assigned with no initial credit sends nothing until the gateway grants Credit")
    void zeroInitialCreditWaitsForCredit() {
        startNode(2, false, gateway);
        TestGateway.Connection c = linkedConnection(gateway);

        c.assign(assign("waits", 10, 6).setInitialCredit(0).build());
        await().atMost(WAIT).until(() -> engine.jobs.containsKey("waits"));
        await().during(Duration.ofMillis(400)).atMost(WAIT).until(() -> c.tokenCount("waits") == 0);

        c.credit("waits", 10);
        await().atMost(WAIT).until(() -> c.done.containsKey("waits"));
        assertThat(c.tokenIds("waits")).isEqualTo(ScriptedEngine.expected(6, 10));
    }

    @Test
    @DisplayName("a gateway that stops reading makes the node stop writing and pause the job; all arrives once it reads")
    void respectsGrpcFlowControl() throws Exception {
        try (TestGateway slow = new TestGateway(true).register(KEY.getAddress()).heartbeatIntervalMs(100)) {
            startNode(2, false, fastSettings().withMaxUnsentTokensPerJob(8), slow);
            engine.textPadding = 2_000;
            TestGateway.Connection c = linkedConnection(slow);
            c.pauseReading();

            c.assign(assign("bulk", 250, 9).build());
            await().atMost(WAIT).until(() -> engine.jobs.containsKey("bulk"));
            java.util.concurrent.atomic.AtomicInteger last = new java.util.concurrent.atomic.AtomicInteger(-1);
            await().during(Duration.ofMillis(700)).atMost(WAIT)
                    .until(() -> engine.jobs.get("bulk").produced.get() == last.getAndSet(engine.jobs.get("bulk").produced.get()));
            // 250 tokens of 2 KB each cannot fit in a 64 KiB HTTP/2 window plus gRPC's 32 KiB send buffer
            int stalledAt = engine.jobs.get("bulk").produced.get();
            assertThat(stalledAt).isLessThan(120);
            assertThat(c.done).doesNotContainKey("bulk");

            c.resumeReading();

            await().atMost(WAIT).until(() -> c.done.containsKey("bulk"));
            assertThat(c.tokenIds("bulk")).isEqualTo(ScriptedEngine.expected(9, 250));
        }
    }

    @Test
    @DisplayName("Cancel stops the job before its next token and reports CANCELLED")
    void cancelStopsWithinOneToken() {
        startNode(2, true, gateway);
        TestGateway.Connection c = linkedConnection(gateway);

        c.assign(assign("job-c", 100, 3).build());
        await().atMost(WAIT).until(() -> engine.jobs.containsKey("job-c"));
        engine.step("job-c", 3);
        await().atMost(WAIT).until(() -> c.tokenCount("job-c") == 3);

        c.cancel("job-c");
        await().atMost(WAIT).until(() -> c.done.containsKey("job-c"));
        engine.step("job-c", 10);

        assertThat(c.done.get("job-c").getFinishReason()).isEqualTo(FinishReason.FINISH_REASON_CANCELLED);
        assertThat(engine.jobs.get("job-c").cancelled).isTrue();
        assertThat(engine.jobs.get("job-c").produced.get()).isEqualTo(3);
        assertThat(c.tokenCount("job-c")).isEqualTo(3);
        await().atMost(WAIT).until(() -> node.slots().free() == 2);
    }

    @Test
    @DisplayName("when the link drops, its jobs are cancelled and the node redials after a jittered backoff")
    void linkDropCancelsJobsAndReconnects() {
        NodeAgent agent = startNode(2, true, gateway);
        TestGateway.Connection c = linkedConnection(gateway);
        c.assign(assign("job-d", 100, 5).build());
        await().atMost(WAIT).until(() -> engine.jobs.containsKey("job-d"));
        engine.step("job-d", 2);
        await().atMost(WAIT).until(() -> c.tokenCount("job-d") == 2);

        c.end(Status.UNAVAILABLE.withDescription("gateway restarting"));

        await().atMost(WAIT).until(() -> engine.jobs.get("job-d").completion().isDone());
        assertThat(engine.jobs.get("job-d").cancelled).isTrue();
        await().atMost(WAIT).until(() -> node.slots().free() == 2);
        await().atMost(WAIT).until(() -> gateway.connections().stream().anyMatch(d -> d != c && d.welcomed));
        GatewayLink link = agent.links().getFirst();
        assertThat(link.lastBackoff()).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
        assertThat(link.lastError()).isNull();
        assertThat(node.metrics().connects()).containsEntry(gateway.address().toString(), 2L);
    }

    @Test
    @DisplayName("a gateway that never sends its Challenge is dropped after the handshake timeout and redialled")
    void silentGatewayTimesOut() throws Exception {
        try (TestGateway silent = new TestGateway().withholdChallenge()) {
            NodeAgent agent = startNode(1, false, fastSettings().withHandshakeTimeout(Duration.ofMillis(300)), silent);
            GatewayLink link = agent.links().getFirst();

            await().atMost(WAIT).until(() -> silent.connections().size() >= 2);
            assertThat(link.lastError()).contains("no Challenge").contains("within PT0.3S");
            assertThat(link.state()).isIn(LinkState.CONNECTING, LinkState.BACKING_OFF);
        }
    }

    @Test
    @DisplayName("a job left without credit past the credit timeout is ended and its slot freed")
    void jobWithoutCreditIsEnded() {
        startNode(1, false, fastSettings().withCreditTimeout(Duration.ofMillis(300)), gateway);
        TestGateway.Connection c = linkedConnection(gateway);

        c.assign(assign("starved", 50, 4).setInitialCredit(2).build());

        await().atMost(WAIT).until(() -> c.failed.containsKey("starved"));
        assertThat(c.failed.get("starved").getRetryable()).isFalse();
        assertThat(c.failed.get("starved").getMessage()).contains("no Credit");
        assertThat(c.tokenCount("starved")).isEqualTo(2);
        await().atMost(WAIT).until(() -> node.slots().free() == 1);
        assertThat(engine.jobs.get("starved").cancelled).isTrue();
    }

    @Test
    @DisplayName("jobs the node cannot run fail with a retryable flag the gateway can act on")
    void refusedJobsCarryRetryable() {
        startNode(1, true, gateway);
        TestGateway.Connection c = linkedConnection(gateway);

        c.assign(assign("unknown-model", 10, 1).setModelHash("ab".repeat(32)).build());
        c.assign(assign("too-long", ScriptedEngine.CONTEXT, 1).build());
        await().atMost(WAIT).until(() -> c.failed.containsKey("unknown-model") && c.failed.containsKey("too-long"));

        JobFailed unknown = c.failed.get("unknown-model");
        assertThat(unknown.getRetryable()).isTrue();
        assertThat(unknown.getMessage()).contains("not loaded on this node");
        JobFailed tooLong = c.failed.get("too-long");
        assertThat(tooLong.getRetryable()).isFalse();
        assertThat(tooLong.getMessage()).contains("exceeds the context");
        await().atMost(WAIT).until(() -> node.slots().free() == 1);
    }

    @Test
    @DisplayName("jobs from two gateways share the node's slots")
    void twoGatewaysShareSlots() throws Exception {
        try (TestGateway second = new TestGateway().register(KEY.getAddress()).heartbeatIntervalMs(100)) {
            startNode(1, true, gateway, second);
            TestGateway.Connection c1 = linkedConnection(gateway);
            TestGateway.Connection c2 = linkedConnection(second);

            c1.assign(assign("first", 10, 1).build());
            await().atMost(WAIT).until(() -> node.slots().free() == 0);
            c2.assign(assign("second", 10, 1).build());

            await().atMost(WAIT).until(() -> c2.failed.containsKey("second"));
            assertThat(c2.failed.get("second").getRetryable()).isTrue();
            assertThat(c2.failed.get("second").getMessage()).contains("no free slot");
            await().atMost(WAIT).until(() -> !c2.heartbeats.isEmpty() && c2.heartbeats.getLast().getFreeSlots() == 0);

            engine.step("first", 10);
            await().atMost(WAIT).until(() -> c1.done.containsKey("first"));
        }
    }

    @Test
    @DisplayName("vouchers the gateway sends over the link reach the payment listener")
    void vouchersReachThePaymentListener() {
        startNode(1, false, gateway);
        TestGateway.Connection c = linkedConnection(gateway);
        Voucher voucher = Voucher.newBuilder()
                .setChannel(ChannelRef.newBuilder().setChainId(TestGateway.CHAIN_ID).setContract("0x" + "11".repeat(20))
                        .setChannelId("7"))
                .setCumulativeAmount(Amount.newBuilder().setBaseUnits("45000"))
                .build();

        c.payment(voucher);

        await().atMost(WAIT).until(() -> vouchers.size() == 1);
        assertThat(vouchers.getFirst()).isEqualTo(voucher);
        assertThat(node.metrics().vouchers()).isEqualTo(1);
    }
}
