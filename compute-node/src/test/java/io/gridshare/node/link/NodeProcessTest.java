package io.gridshare.node.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gridshare.node.NodeMain;
import io.gridshare.node.config.NodeConfig;
import io.gridshare.node.model.ModelsDirectory;
import io.gridshare.proto.v1.Assign;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.WalletUtils;

/** A whole node as NodeMain starts it from configuration: key from a keystore, stories260K, health endpoint. */
class NodeProcessTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private Path modelsDir;
    private Map<String, String> env;
    private String nodeAddress;
    private NodeMain.RunningNode running;

    @BeforeEach
    void writeKeystoreAndConfig() throws Exception {
        modelsDir = ModelsDirectory.resolve();
        assumeTrue(Files.isRegularFile(modelsDir.resolve("stories260K/stories260K.bin")),
                "stories260K not found: " + ModelsDirectory.howToProvide(modelsDir));
        String wallet = WalletUtils.generateLightNewWalletFile("node-password", dir.toFile());
        nodeAddress = WalletUtils.loadCredentials("node-password", dir.resolve(wallet).toFile()).getAddress();
        Path passwordFile = dir.resolve("password.txt");
        Files.writeString(passwordFile, "node-password\n");
        env = new HashMap<>();
        env.put("GRIDSHARE_NODE_KEYSTORE", dir.resolve(wallet).toString());
        env.put("GRIDSHARE_NODE_KEYSTORE_PASSWORD_FILE", passwordFile.toString());
        env.put("GRIDSHARE_NODE_MODELS_DIR", modelsDir.toString());
        env.put("GRIDSHARE_NODE_MODELS", "stories260K");
        env.put("GRIDSHARE_NODE_PRICE_PER_TOKEN", "2500");
        env.put("GRIDSHARE_NODE_SLOTS", "2");
        env.put("GRIDSHARE_NODE_BACKEND", "cpu");
        env.put("GRIDSHARE_NODE_HEALTH_PORT", "0");
    }

    @AfterEach
    void stop() {
        if (running != null) {
            running.close();
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.health().port() + path))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @DisplayName("a configured node links to its gateway, serves a job, and reports it on /health, /ready and /metrics")
    void configuredNodeLinksServesAndReports() throws Exception {
        try (TestGateway gateway = new TestGateway().heartbeatIntervalMs(200)) {
            gateway.register(nodeAddress);
            env.put("GRIDSHARE_NODE_GATEWAYS", gateway.address().toString());
            running = NodeMain.start(NodeConfig.load(env::get));

            await().atMost(WAIT).until(() -> running.agent().linked());
            TestGateway.Connection c = gateway.linked();
            assertThat(c.hello.getNodeKey()).isEqualTo(nodeAddress);
            assertThat(c.hello.getPricePerToken().getBaseUnits()).isEqualTo("2500");
            assertThat(c.hello.getTotalSlots()).isEqualTo(2);
            assertThat(c.hello.getModels(0).getName()).isEqualTo("stories260K");
            String modelHash = c.hello.getModels(0).getModelHash();

            c.assign(Assign.newBuilder().setJobId("j1").setModelHash(modelHash).setPrompt("Once upon a time")
                    .setMaxTokens(20).setTemperature(0).setTopP(1).setInitialCredit(100).build());
            await().atMost(WAIT).until(() -> c.done.containsKey("j1"));

            HttpResponse<String> health = get("/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"UP\"", "\"state\":\"LINKED\"", nodeAddress,
                    "\"gateway_id\":\"test-gateway\"", modelHash);
            assertThat(get("/ready").statusCode()).isEqualTo(200);
            String metrics = get("/metrics").body();
            assertThat(metrics).contains(
                    "gridshare_node_link_up{gateway=\"" + gateway.address() + "\"} 1",
                    "gridshare_node_jobs_total{result=\"done\"} 1",
                    "gridshare_node_tokens_total " + c.tokenCount("j1"),
                    "gridshare_node_slots 2",
                    "gridshare_node_kv_blocks_used{model=\"",
                    "gridshare_node_queue_wait_seconds_count{model=\"",
                    "# TYPE gridshare_node_batch_jobs histogram",
                    "# TYPE gridshare_node_tokens_total counter");
            assertThat(get("/nothing").statusCode()).isEqualTo(404);
        }
    }

    @Test
    @DisplayName("a node whose gateway is unreachable is alive but not ready, and says so")
    void unreachableGatewayMeansNotReady() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        env.put("GRIDSHARE_NODE_GATEWAYS", "127.0.0.1:" + closedPort);
        running = NodeMain.start(NodeConfig.load(env::get));

        await().atMost(WAIT).until(() -> running.agent().links().getFirst().lastError() != null);
        assertThat(get("/health").statusCode()).isEqualTo(200);
        HttpResponse<String> ready = get("/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("\"linked\":false", "UNAVAILABLE");
        assertThat(get("/metrics").body()).contains("gridshare_node_link_up{gateway=\"127.0.0.1:" + closedPort + "\"} 0");
    }

    @Test
    @DisplayName("a model that is not in the models directory stops the start, listing what the folder holds")
    void missingModelIsNamed() {
        env.put("GRIDSHARE_NODE_GATEWAYS", "127.0.0.1:9");
        env.put("GRIDSHARE_NODE_MODELS", "llama-7b");

        assertThatThrownBy(() -> NodeMain.start(NodeConfig.load(env::get)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("model(s) [llama-7b] not found")
                .hasMessageContaining("the models folder holds [stories260K]");
    }
}
