package io.gridshare.node.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gridshare.node.engine.EngineConfig;
import io.gridshare.node.engine.Engines;
import io.gridshare.node.engine.GeneratedToken;
import io.gridshare.node.engine.InferenceEngine;
import io.gridshare.node.engine.JobOutcome;
import io.gridshare.node.engine.JobRequest;
import io.gridshare.node.engine.SamplingParams;
import io.gridshare.node.engine.TokenSink;
import io.gridshare.node.model.ModelFiles;
import io.gridshare.node.model.ModelsDirectory;
import io.gridshare.proto.v1.Assign;
import io.gridshare.proto.v1.FinishReason;
import io.grpc.Status;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

/**
 * The link with the real CPU engine on stories260K (from ../shared/models, or -Dgridshare.models.dir):
 * the tokens a gateway receives are the engine's, a job cut off mid-stream and resumed with its
 * emitted tokens continues exactly, and Cancel stops the engine within one token.
 */
class RealEngineLinkTest {

    private static final Credentials KEY =
            Credentials.create("0x8da4ef21b864d2cc526dbdb2a120bd2874c36c9d0a1fb7f8c63d7f7a8b41de8f");
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static Path modelsDir;
    private static InferenceEngine real;
    private CountingEngine engine;
    private TestGateway gateway;
    private NodeAgent agent;

    @BeforeAll
    static void loadModel() throws Exception {
        modelsDir = ModelsDirectory.resolve();
        assumeTrue(Files.isRegularFile(modelsDir.resolve("stories260K/stories260K.bin")),
                "stories260K not found: " + ModelsDirectory.howToProvide(modelsDir));
        real = Engines.load(ModelFiles.stories260K(modelsDir), EngineConfig.defaults(4).withBackend(EngineConfig.Backend.CPU));
    }

    @AfterAll
    static void closeModel() {
        if (real != null) {
            real.close();
        }
    }

    @BeforeEach
    void startNode() throws Exception {
        engine = new CountingEngine(real);
        gateway = new TestGateway().register(KEY.getAddress()).heartbeatIntervalMs(200);
        NodeContext node = new NodeContext(new NodeKey(KEY), List.of(engine), new SlotPool(4), List::of,
                BigInteger.ONE, "test", new NodeMetrics(), PaymentListener.IGNORE);
        LinkSettings settings = LinkSettings.defaults()
                .withReconnect(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofMillis(200))
                .withHandshakeTimeout(Duration.ofSeconds(30));
        agent = NodeAgent.start(node, List.of(gateway.address()), settings);
    }

    @AfterEach
    void stopNode() throws Exception {
        agent.close();
        gateway.close();
    }

    private TestGateway.Connection linked(TestGateway.Connection except) {
        await().atMost(WAIT).until(() -> gateway.connections().stream().anyMatch(c -> c != except && c.welcomed));
        return gateway.linked();
    }

    private Assign.Builder assign(String jobId, String prompt, int maxTokens, float temperature, long seed) {
        return Assign.newBuilder().setJobId(jobId).setModelHash(real.model().modelHash()).setPrompt(prompt)
                .setMaxTokens(maxTokens).setTemperature(temperature).setTopP(1f).setSeed(seed)
                .setInitialCredit(10_000);
    }

    /** The engine alone, without the link: the baseline the link must reproduce. */
    private static List<GeneratedToken> direct(String prompt, int maxTokens, float temperature, long seed)
            throws Exception {
        List<GeneratedToken> tokens = new ArrayList<>();
        CompletableFuture<JobOutcome> done = new CompletableFuture<>();
        real.submit(new JobRequest("direct-" + System.nanoTime(), prompt, List.of(), maxTokens,
                new SamplingParams(temperature, 1f, seed)), new TokenSink() {
                    @Override
                    public void onToken(GeneratedToken token) {
                        tokens.add(token);
                    }

                    @Override
                    public void onFinished(JobOutcome outcome) {
                        done.complete(outcome);
                    }
                });
        done.get(60, TimeUnit.SECONDS);
        return tokens;
    }

    @Test
    @DisplayName("a greedy job through the link yields the engine's tokens and the reference text")
    void greedyJobMatchesTheEngineAndTheReference() throws Exception {
        TestGateway.Connection c = linked(null);
        assertThat(c.hello.getModelsList()).singleElement()
                .satisfies(m -> assertThat(m.getModelHash()).isEqualTo(real.model().modelHash()));

        c.assign(assign("greedy", "", 255, 0f, 0).setInitialCredit(16).build());
        // a gateway that keeps granting credit as tokens arrive, as a reading tenant would
        await().atMost(WAIT).until(() -> {
            if (c.done.containsKey("greedy")) {
                return true;
            }
            c.credit("greedy", 16);
            return false;
        });

        List<Integer> expected = direct("", 255, 0f, 0).stream().map(GeneratedToken::tokenId).toList();
        assertThat(c.tokenIds("greedy")).isEqualTo(expected);
        String reference = Files.readString(modelsDir.resolve("stories260K/reference-greedy-256.txt"),
                StandardCharsets.UTF_8);
        assertThat(reference.strip()).startsWith(c.text("greedy").strip());
        assertThat(c.text("greedy")).hasSizeGreaterThan(200);
    }

    @Test
    @DisplayName("a sampled job cut off by a dropped link resumes from its emitted tokens exactly as it would have run")
    void droppedJobResumesExactly() throws Exception {
        int total = 120;
        int cut = 37;
        List<Integer> uninterrupted = direct("Once upon a time", total, 1f, 42).stream()
                .map(GeneratedToken::tokenId).toList();
        TestGateway.Connection first = linked(null);

        // credit pauses the job at exactly `cut` tokens; then the gateway's side of the link dies
        first.assign(assign("story", "Once upon a time", total, 1f, 42).setInitialCredit(cut).build());
        await().atMost(WAIT).until(() -> first.tokenCount("story") == cut);
        first.end(Status.UNAVAILABLE.withDescription("gateway member stopped"));
        await().atMost(WAIT).until(() -> engine.jobs.get("story").cancelCalled.get());

        TestGateway.Connection second = linked(first);
        List<Integer> emitted = first.tokenIds("story");
        second.assign(assign("story", "Once upon a time", total, 1f, 42).addAllEmittedTokenIds(emitted).build());
        await().atMost(WAIT).until(() -> second.done.containsKey("story"));

        List<Integer> stitched = new ArrayList<>(emitted);
        stitched.addAll(second.tokenIds("story"));
        assertThat(second.firstIndex("story")).isEqualTo(cut);
        assertThat(stitched).isEqualTo(uninterrupted);
    }

    @Test
    @DisplayName("Cancel stops the running engine within one token")
    void cancelStopsTheEngineWithinOneToken() {
        TestGateway.Connection c = linked(null);
        // credit for 8 tokens holds the job mid-story: without it the engine can reach the end of its
        // story (FINISH_REASON_STOP) before the await below even looks
        c.assign(assign("long", "", 500, 0.8f, 7).setInitialCredit(8).build());
        await().atMost(WAIT).until(() -> c.tokenCount("long") >= 5);

        c.cancel("long");

        await().atMost(WAIT).until(() -> c.done.containsKey("long"));
        assertThat(c.done.get("long").getFinishReason()).isEqualTo(FinishReason.FINISH_REASON_CANCELLED);
        CountingEngine.Observed o = engine.jobs.get("long");
        assertThat(o.cancelCalled).isTrue();
        assertThat(o.tokensAfterCancel.get()).isLessThanOrEqualTo(1);
        assertThat(o.tokens.get()).isLessThan(500);
        assertThat(c.tokenCount("long")).isLessThanOrEqualTo(o.tokens.get());
    }
}
