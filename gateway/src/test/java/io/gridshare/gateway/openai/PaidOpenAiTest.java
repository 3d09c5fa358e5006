package io.gridshare.gateway.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gridshare.chain.local.LocalChain;
import io.gridshare.chain.voucher.Voucher;
import io.gridshare.client.ChannelKey;
import io.gridshare.client.ChannelManager;
import io.gridshare.client.DepositSource;
import io.gridshare.client.InMemoryChannelLedger;
import io.gridshare.client.JobResult;
import io.gridshare.client.JobSpec;
import io.gridshare.client.TenantClient;
import io.gridshare.client.VoucherSigner;
import io.gridshare.gateway.observe.GatewayObserver;
import io.gridshare.gateway.payment.PaidNetwork;
import io.gridshare.node.engine.InferenceEngine;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import org.web3j.utils.Numeric;

/**
 * OpenAI clients on a paid gateway, end to end on a real anvil: a delegated session (a channel to the
 * gateway whose signer is a session key, registered through a sessions file) pays for a REST job
 * through the gateway's own gRPC API, served by a real stories260K CPU node (the {@link PaidNetwork}
 * fixture). The resource is served by the JDK's HTTP server and read with a plain java.net.http client.
 */
class PaidOpenAiTest {

    private static final long CHAIN_ID = 31377;
    private static final BigInteger SESSION_DEPOSIT = BigInteger.valueOf(500_000);
    private static final String MESSAGES = "[{\"role\":\"user\",\"content\":\"Tell me a story about a cat\"}]";
    private static final int MAX_TOKENS = 20;

    private static LocalChain chain;
    private static InferenceEngine engine;

    @TempDir
    Path dir;
    private PaidNetwork network;
    private PaidRestJobs paidJobs;
    private HttpServer server;
    private ExecutorService serverThreads;
    private ChannelKey sessionChannel;
    private String apiKey;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startChain() throws Exception {
        engine = PaidNetwork.stories260KOnCpu();
        chain = LocalChain.start(LocalChain.Options.defaults().withChainId(CHAIN_ID));
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
    void startNetwork() throws Exception {
        network = new PaidNetwork(chain, engine, dir.resolve("gateway"), dir.resolve("node"), Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(30)).until(network.node::linked);
        Credentials tenant = chain.account(2);
        Credentials sessionKey = Credentials.create(Keys.createEcKeyPair());
        sessionChannel = new ChannelManager(network.contracts(), tenant, new InMemoryChannelLedger())
                .open(network.gatewayKey.getAddress(), SESSION_DEPOSIT, sessionKey.getAddress(), false);
        apiKey = "sk-gridshare-" + Long.toHexString(System.nanoTime());
        Path sessionsFile = dir.resolve("openai-sessions.properties");
        Files.writeString(sessionsFile, "session.alice.api-key=" + apiKey + "\n"
                + "session.alice.channel-id=" + sessionChannel.channelId() + "\n"
                + "session.alice.private-key=" + Numeric.toHexStringWithPrefixZeroPadded(
                        sessionKey.getEcKeyPair().getPrivateKey(), 64) + "\n");
        Map<String, OpenAiSession> sessions = OpenAiSession.load(sessionsFile, chain.deployment().chainId(),
                chain.deployment().paymentChannels());
        paidJobs = new PaidRestJobs(sessions, network::target, dir.resolve("gateway/openai-sessions"),
                DepositSource.onChain(network.channelsAs(tenant)));
        OpenAiResource resource = new OpenAiResource(network.services, GatewayObserver.NOOP,
                () -> Optional.of(paidJobs));
        serverThreads = Executors.newVirtualThreadPerTaskExecutor();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(serverThreads);
        server.createContext("/v1/", exchange -> serve(resource, exchange));
        server.start();
    }

    @AfterEach
    void stopNetwork() {
        if (server != null) {
            server.stop(0);
            serverThreads.shutdownNow();
        }
        if (paidJobs != null) {
            paidJobs.close();
        }
        if (network != null) {
            network.close();
        }
    }

    /** Hands the exchange to the JAX-RS resource and writes its Response, streaming a StreamingOutput. */
    private static void serve(OpenAiResource resource, HttpExchange exchange) throws IOException {
        try (exchange) {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Response r = switch (exchange.getRequestURI().getPath()) {
                case "/v1/chat/completions" -> resource.chatCompletions(auth, body);
                case "/v1/completions" -> resource.completions(auth, body);
                default -> Response.status(404).entity("").build();
            };
            if (r.getMediaType() != null) {
                exchange.getResponseHeaders().set("Content-Type", r.getMediaType().toString());
            }
            if (r.getEntity() instanceof StreamingOutput out) {
                exchange.sendResponseHeaders(r.getStatus(), 0);
                try (OutputStream os = exchange.getResponseBody()) {
                    out.write(os);
                }
            } else {
                byte[] bytes = String.valueOf(r.getEntity()).getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(r.getStatus(), bytes.length);
                exchange.getResponseBody().write(bytes);
            }
        }
    }

    private HttpResponse<String> post(String path, String body, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort()
                + path)).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String chatBody(boolean stream) {
        return "{\"model\":\"stories260K\",\"messages\":" + MESSAGES + ",\"max_tokens\":" + MAX_TOKENS
                + ",\"temperature\":0,\"stream\":" + stream + "}";
    }

    /** The greedy output for the same rendered chat prompt, from a gRPC tenant on a channel of its own. */
    private JobResult greedyReference() {
        Credentials tenant = chain.account(2);
        ChannelKey own = new ChannelManager(network.contracts(), tenant, new InMemoryChannelLedger())
                .open(network.gatewayKey.getAddress(), SESSION_DEPOSIT, tenant.getAddress(), false);
        String prompt = ChatTemplate.render(Json.createReader(new StringReader(MESSAGES)).readArray());
        try (TenantClient client = TenantClient.builder().target(network.target()).signer(VoucherSigner.of(tenant))
                .ledger(new InMemoryChannelLedger()).deposits(DepositSource.onChain(network.channelsAs(tenant)))
                .build()) {
            return client.generate(JobSpec.builder("stories260K", prompt).maxTokens(MAX_TOKENS).channel(own).build(),
                    chunk -> { });
        }
    }

    private BigInteger latestVoucher() {
        return network.payments.settlement().orElseThrow().latest(sessionChannel.channelId())
                .map(Voucher::cumulativeAmount).orElse(BigInteger.ZERO);
    }

    @Test
    void aStreamingChatCompletionWithAValidApiKeyIsPaidThroughTheSessionChannelAndEndsWithTheReceipt()
            throws Exception {
        JobResult reference = greedyReference();

        HttpResponse<String> response = post("/v1/chat/completions", chatBody(true), "Bearer " + apiKey);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("text/event-stream"));
        List<String> events = new ArrayList<>();
        for (String line : response.body().split("\n")) {
            if (line.startsWith("data: ")) {
                events.add(line.substring(6));
            }
        }
        assertThat(events).last().isEqualTo("[DONE]");
        List<JsonObject> chunks = events.subList(0, events.size() - 1).stream()
                .map(e -> Json.createReader(new StringReader(e)).readObject()).toList();
        StringBuilder text = new StringBuilder();
        for (JsonObject c : chunks) {
            assertThat(c.containsKey("error")).as(c.toString()).isFalse();
            JsonObject delta = c.getJsonArray("choices").getJsonObject(0).getJsonObject("delta");
            text.append(delta.getString("content", ""));
        }
        assertThat(text.toString()).isEqualTo(reference.text());

        JsonObject last = chunks.getLast();
        assertThat(last.getJsonArray("choices").getJsonObject(0).getString("finish_reason")).isEqualTo("length");
        JsonObject receipt = last.getJsonObject("gridshare_receipt");
        assertThat(receipt).as("the last chunk carries the receipt").isNotNull();
        BigInteger expected = PaidNetwork.TENANT_PRICE.multiply(BigInteger.valueOf(MAX_TOKENS));
        assertThat(receipt.getInt("tokens")).isEqualTo(MAX_TOKENS);
        assertThat(new BigInteger(receipt.getString("amount"))).isEqualTo(expected);
        assertThat(new BigInteger(receipt.getString("price_per_token"))).isEqualTo(PaidNetwork.TENANT_PRICE);
        JsonObject channel = receipt.getJsonObject("channel");
        assertThat(channel.getString("channel_id")).isEqualTo(sessionChannel.channelId().toString());
        assertThat(channel.getJsonNumber("chain_id").longValue()).isEqualTo(CHAIN_ID);
        JsonArray nodes = receipt.getJsonArray("node_ids");
        assertThat(nodes.getValuesAs(jakarta.json.JsonString.class).stream().map(jakarta.json.JsonString::getString))
                .containsExactlyElementsOf(reference.receipt().nodeIds());
        assertThat(receipt.getString("model_hash")).isEqualTo(engine.model().modelHash());
        assertThat(latestVoucher()).as("the session channel's vouchers = tokens × price").isEqualTo(expected);
    }

    @Test
    void aNonStreamingCompletionCarriesTheReceiptAndIsPaidInFull() throws Exception {
        HttpResponse<String> response = post("/v1/completions",
                "{\"model\":\"stories260K\",\"prompt\":\"Once upon a time\",\"max_tokens\":12,\"temperature\":0}",
                "Bearer " + apiKey);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonObject body = Json.createReader(new StringReader(response.body())).readObject();
        JsonObject receipt = body.getJsonObject("gridshare_receipt");
        BigInteger expected = PaidNetwork.TENANT_PRICE.multiply(BigInteger.valueOf(12));
        assertThat(receipt.getInt("tokens")).isEqualTo(12);
        assertThat(new BigInteger(receipt.getString("amount"))).isEqualTo(expected);
        assertThat(body.getJsonObject("usage").getInt("completion_tokens")).isEqualTo(12);
        assertThat(latestVoucher()).isEqualTo(expected);
    }

    @Test
    void aRequestWithoutAnApiKeyGets401WithAnErrorSayingWhatToDo() throws Exception {
        HttpResponse<String> response = post("/v1/chat/completions", chatBody(true), null);

        assertThat(response.statusCode()).isEqualTo(401);
        JsonObject error = Json.createReader(new StringReader(response.body())).readObject().getJsonObject("error");
        assertThat(error.getString("code")).isEqualTo("invalid_api_key");
        assertThat(error.getString("type")).isEqualTo("invalid_request_error");
        assertThat(error.getString("message")).contains("Authorization: Bearer").contains(OpenAiSession.SESSIONS_FILE);
        assertThat(latestVoucher()).isZero();
    }

    @Test
    void aRequestWithAWrongApiKeyGets401() throws Exception {
        HttpResponse<String> response = post("/v1/completions",
                "{\"model\":\"stories260K\",\"prompt\":\"Once\",\"max_tokens\":4}", "Bearer sk-not-a-session");

        assertThat(response.statusCode()).isEqualTo(401);
        JsonObject error = Json.createReader(new StringReader(response.body())).readObject().getJsonObject("error");
        assertThat(error.getString("code")).isEqualTo("invalid_api_key");
        assertThat(error.getString("message")).startsWith("unknown API key");
        assertThat(latestVoucher()).isZero();
    }
}
