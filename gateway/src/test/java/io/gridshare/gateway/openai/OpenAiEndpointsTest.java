package io.gridshare.gateway.openai;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridshare.gateway.cdi.GrpcLifecycle;
import io.gridshare.gateway.link.InMemoryNodeStakeCheck;
import io.gridshare.gateway.link.NodeStakeCheck;
import io.gridshare.gateway.testnode.ArithmeticTestNode;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.helidon.microprofile.testing.junit5.AddConfig;
import io.helidon.microprofile.testing.junit5.HelidonTest;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.ws.rs.client.WebTarget;
import java.io.StringReader;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;

/** The whole gateway in its CDI container: REST on a random port, gRPC on an ephemeral one. */
@HelidonTest
@AddConfig(key = "gridshare.grid.mode", value = "standalone")
@AddConfig(key = "gridshare.grpc.port", value = "0")
@AddConfig(key = "gridshare.grpc.host", value = "127.0.0.1")
@AddConfig(key = "gridshare.stake.minimum", value = "1")
class OpenAiEndpointsTest {

    @Inject
    WebTarget target;
    @Inject
    GrpcLifecycle grpc;
    @Inject
    NodeStakeCheck stakes;

    private final HttpClient http = HttpClient.newHttpClient();
    // one node for the whole class, as the container is: linked by the first test that runs
    private static ManagedChannel channel;
    private static ArithmeticTestNode node;

    @BeforeEach
    void linkNode() throws Exception {
        if (node != null) {
            return;
        }
        ECKeyPair key = Keys.createEcKeyPair();
        ((InMemoryNodeStakeCheck) stakes).stake("0x" + Keys.getAddress(key.getPublicKey()), BigInteger.TEN);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", grpc.port()).usePlaintext().build();
        node = new ArithmeticTestNode(channel, key, 2, 4, 0, true).connect();
        assertThat(node.verdict().hasWelcome()).isTrue();
    }

    @AfterAll
    static void unlink() throws Exception {
        if (node == null) {
            return;
        }
        node.close();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(target.getUri() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(target.getUri() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String expectedText(String prompt, long seed, int n) {
        return IntStream.range(0, n).mapToObj(i -> ArithmeticTestNode.textOf(
                ArithmeticTestNode.expectedToken(prompt, seed, i))).reduce("", String::concat);
    }

    @Test
    void modelsListsTheLinkedNodesModel() throws Exception {
        HttpResponse<String> r = get("/v1/models");

        assertThat(r.statusCode()).isEqualTo(200);
        JsonObject body = Json.createReader(new StringReader(r.body())).readObject();
        JsonObject model = body.getJsonArray("data").getJsonObject(0);
        assertThat(model.getString("id")).isEqualTo(ArithmeticTestNode.MODEL_NAME);
        JsonObject details = model.getJsonObject("gridshare");
        assertThat(details.getInt("context_length")).isEqualTo(512);
        assertThat(details.getString("architecture")).isEqualTo("qwen2");
        assertThat(details.getJsonNumber("parameters").longValueExact()).isEqualTo(494_032_768L);
        assertThat(details.getString("quantization")).isEqualTo("Q8_0 ×169");
        assertThat(details.getBoolean("chat")).isTrue();
    }

    @Test
    void aStreamedCompletionArrivesAsServerSentEventsEndingWithDone() throws Exception {
        HttpResponse<String> r = post("/v1/completions", """
                {"model":"arith","prompt":"Once","max_tokens":12,"temperature":0,"seed":5,"stream":true,
                 "stream_options":{"include_usage":true}}""");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        List<String> events = r.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
        assertThat(events.getLast()).isEqualTo("[DONE]");
        List<JsonObject> chunks = events.subList(0, events.size() - 1).stream()
                .map(e -> Json.createReader(new StringReader(e)).readObject()).toList();
        String text = chunks.stream().filter(c -> !c.getJsonArray("choices").isEmpty())
                .map(c -> c.getJsonArray("choices").getJsonObject(0).getString("text")).reduce("", String::concat);
        assertThat(text).isEqualTo(expectedText("Once", 5, 12));
        JsonObject usageChunk = chunks.getLast();
        assertThat(usageChunk.getJsonArray("choices")).isEmpty();
        assertThat(usageChunk.getJsonObject("usage").getInt("completion_tokens")).isEqualTo(12);
        assertThat(chunks.get(chunks.size() - 2).getJsonArray("choices").getJsonObject(0).getString("finish_reason"))
                .isEqualTo("length");
    }

    @Test
    void aFreeStreamsLastChunkCarriesAReceiptWithoutAChannel() throws Exception {
        HttpResponse<String> r = post("/v1/chat/completions", """
                {"model":"arith","messages":[{"role":"user","content":"Hi"}],"max_tokens":5,"seed":3,"stream":true}""");

        assertThat(r.statusCode()).isEqualTo(200);
        List<String> events = r.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
        JsonObject last = Json.createReader(new StringReader(events.get(events.size() - 2))).readObject();
        JsonObject receipt = last.getJsonObject("gridshare_receipt");
        assertThat(receipt.getInt("tokens")).isEqualTo(5);
        assertThat(receipt.get("channel")).isEqualTo(jakarta.json.JsonValue.NULL);
        assertThat(receipt.getJsonArray("node_ids")).hasSize(1);
    }

    @Test
    void aChatCompletionWithoutStreamingReturnsOneMessageWithUsage() throws Exception {
        HttpResponse<String> r = post("/v1/chat/completions", """
                {"model":"arith","messages":[{"role":"user","content":"Tell a story"}],"max_tokens":6,"seed":9}""");

        assertThat(r.statusCode()).isEqualTo(200);
        JsonObject body = Json.createReader(new StringReader(r.body())).readObject();
        assertThat(body.getString("object")).isEqualTo("chat.completion");
        JsonObject message = body.getJsonArray("choices").getJsonObject(0).getJsonObject("message");
        assertThat(message.getString("role")).isEqualTo("assistant");
        assertThat(message.getString("content")).isEqualTo(expectedText("User: Tell a story\nAssistant:", 9, 6));
        assertThat(body.getJsonObject("usage").getInt("completion_tokens")).isEqualTo(6);
    }

    @Test
    void anUnknownModelIsA404WithAnOpenAiErrorBody() throws Exception {
        HttpResponse<String> r = post("/v1/completions", "{\"model\":\"gpt-9\",\"prompt\":\"x\"}");

        assertThat(r.statusCode()).isEqualTo(404);
        JsonObject error = Json.createReader(new StringReader(r.body())).readObject().getJsonObject("error");
        assertThat(error.getString("message")).contains("gpt-9");
        assertThat(error.getString("code")).isEqualTo("not_found");
    }

    @Test
    void malformedJsonIsA400() throws Exception {
        HttpResponse<String> r = post("/v1/completions", "{\"model\":");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("invalid_request_error");
    }

    @Test
    void anOutOfRangeTemperatureIsA400NamingTheField() throws Exception {
        HttpResponse<String> r = post("/v1/completions", "{\"model\":\"arith\",\"prompt\":\"x\",\"temperature\":9}");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("temperature");
    }

    @Test
    void readinessIsUpWhenTheGridIsSafeAndTheStakeSourceAnswers() throws Exception {
        HttpResponse<String> r = get("/health/ready");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("grid").contains("chain");
    }

    @Test
    void metricsExposeTimeToFirstTokenAndLinkedNodesInPrometheusFormat() throws Exception {
        post("/v1/completions", "{\"model\":\"arith\",\"prompt\":\"m\",\"max_tokens\":3}");

        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(target.getUri() + "/metrics"))
                .header("Accept", "text/plain").GET().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("time_to_first_token_seconds").contains("gridshare_nodes_linked")
                .contains("gridshare_tokens_streamed");
    }
}
