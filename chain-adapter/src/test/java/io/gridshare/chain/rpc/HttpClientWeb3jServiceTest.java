package io.gridshare.chain.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.gridshare.chain.RpcUnavailableException;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.BatchResponse;
import org.web3j.protocol.core.methods.response.EthBlockNumber;
import org.web3j.protocol.core.methods.response.EthChainId;

/** Against a scripted JSON-RPC server on loopback. */
class HttpClientWeb3jServiceTest {
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");
    private static final Pattern METHOD = Pattern.compile("\"method\"\\s*:\\s*\"([a-zA-Z_]+)\"");

    private HttpServer server;
    private final Deque<Integer> failures = new ArrayDeque<>();
    private final AtomicInteger requests = new AtomicInteger();
    private HttpClientWeb3jService service;
    private Web3j web3j;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Integer failure;
            synchronized (failures) {
                failure = failures.poll();
            }
            byte[] answer;
            int status = 200;
            if (failure != null && failure > 0) {
                status = failure;
                answer = "busy".getBytes(StandardCharsets.UTF_8);
            } else if (failure != null) {
                answer = ("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32005,\"message\":\"limit exceeded\"}}")
                        .getBytes(StandardCharsets.UTF_8);
            } else {
                answer = answer(body).getBytes(StandardCharsets.UTF_8);
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        server.start();
        service = new HttpClientWeb3jService("http://127.0.0.1:" + server.getAddress().getPort(),
                new RetryPolicy(3, Duration.ofMillis(5), Duration.ofMillis(20)), Duration.ofSeconds(5), Map.of());
        web3j = Web3j.build(service);
    }

    /** eth_chainId answers 0x7a69, eth_blockNumber 0x2a; batches answered in reverse order. */
    private static String answer(String body) {
        if (body.trim().startsWith("[")) {
            StringBuilder out = new StringBuilder("[");
            String[] parts = body.split("\\},\\s*\\{");
            for (int i = parts.length - 1; i >= 0; i--) {
                out.append(single(parts[i]));
                if (i > 0) {
                    out.append(',');
                }
            }
            return out.append(']').toString();
        }
        return single(body);
    }

    private static String single(String request) {
        Matcher id = ID.matcher(request);
        Matcher method = METHOD.matcher(request);
        id.find();
        method.find();
        String result = switch (method.group(1)) {
            case "eth_chainId" -> "0x7a69";
            case "eth_blockNumber" -> "0x2a";
            default -> "null";
        };
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id.group(1) + ",\"result\":\"" + result + "\"}";
    }

    @AfterEach
    void stopServer() {
        web3j.shutdown();
        server.stop(0);
    }

    @Test
    @DisplayName("a single request round-trips")
    void sendsRequest() throws IOException {
        assertThat(web3j.ethChainId().send().getChainId()).isEqualTo(BigInteger.valueOf(31337));
    }

    @Test
    @DisplayName("a batch maps each answer to its request by id, whatever the order")
    void sendsBatch() throws IOException {
        BatchResponse batch = web3j.newBatch().add(web3j.ethChainId()).add(web3j.ethBlockNumber()).send();
        assertThat(((EthChainId) batch.getResponses().get(0)).getChainId()).isEqualTo(BigInteger.valueOf(31337));
        assertThat(((EthBlockNumber) batch.getResponses().get(1)).getBlockNumber()).isEqualTo(BigInteger.valueOf(42));
        assertThat(requests).hasValue(1);
    }

    @Test
    @DisplayName("asynchronous requests and batches complete")
    void sendsAsync() throws Exception {
        assertThat(web3j.ethBlockNumber().sendAsync().get(5, TimeUnit.SECONDS).getBlockNumber()).isEqualTo(BigInteger.valueOf(42));
        BatchResponse batch = web3j.newBatch().add(web3j.ethChainId()).sendAsync().get(5, TimeUnit.SECONDS);
        assertThat(batch.getResponses()).hasSize(1);
    }

    @Test
    @DisplayName("HTTP 503 and 429 are retried until the node answers")
    void retriesTransientHttpFailures() throws IOException {
        failures.add(503);
        failures.add(429);
        assertThat(web3j.ethChainId().send().getChainId()).isEqualTo(BigInteger.valueOf(31337));
        assertThat(requests).hasValue(3);
    }

    @Test
    @DisplayName("a JSON-RPC rate-limit error is retried")
    void retriesRateLimit() throws IOException {
        failures.add(0);
        assertThat(web3j.ethChainId().send().getChainId()).isEqualTo(BigInteger.valueOf(31337));
        assertThat(requests).hasValue(2);
    }

    @Test
    @DisplayName("asynchronous requests are retried too")
    void retriesAsync() throws Exception {
        failures.add(502);
        assertThat(web3j.ethChainId().sendAsync().get(5, TimeUnit.SECONDS).getChainId()).isEqualTo(BigInteger.valueOf(31337));
        assertThat(requests).hasValue(2);
    }

    @Test
    @DisplayName("when retries run out the exception names the URL and the last problem")
    void givesUpWithClearMessage() {
        failures.add(500);
        failures.add(500);
        failures.add(500);
        assertThatThrownBy(() -> web3j.ethChainId().send())
                .isInstanceOf(RpcUnavailableException.class)
                .hasMessageContaining(service.url())
                .hasMessageContaining("HTTP 500");
        assertThat(requests).hasValue(3);
    }

    @Test
    @DisplayName("an asynchronous request to a closed port fails with RpcUnavailableException")
    void asyncConnectionRefused() throws Exception {
        server.stop(0);
        assertThatThrownBy(() -> web3j.ethChainId().sendAsync().get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(RpcUnavailableException.class)
                .cause().hasMessageContaining("connection refused");
    }

    @Test
    @DisplayName("subscriptions are refused with a pointer to the log watcher")
    void refusesSubscriptions() {
        assertThatThrownBy(() -> service.subscribe(null, "eth_unsubscribe", null))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("LogWatcher");
    }
}
