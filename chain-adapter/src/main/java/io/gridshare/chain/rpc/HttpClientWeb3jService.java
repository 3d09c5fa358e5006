package io.gridshare.chain.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.gridshare.chain.RpcUnavailableException;
import io.reactivex.Flowable;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.web3j.protocol.ObjectMapperFactory;
import org.web3j.protocol.Web3jService;
import org.web3j.protocol.core.BatchRequest;
import org.web3j.protocol.core.BatchResponse;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.websocket.events.Notification;

/**
 * A web3j {@link Web3jService} over {@link java.net.http.HttpClient}, so that neither OkHttp nor
 * the Kotlin standard library is on the classpath. Supports single, batch and asynchronous
 * requests; transient failures (connection refused, I/O errors, HTTP 5xx, HTTP 429 and JSON-RPC
 * rate-limit errors) are retried with the given {@link RetryPolicy}, and when retries run out an
 * {@link RpcUnavailableException} names the URL. Subscriptions need a WebSocket and are refused.
 */
public final class HttpClientWeb3jService implements Web3jService {
    private static final System.Logger LOG = System.getLogger(HttpClientWeb3jService.class.getName());
    /** JSON-RPC error codes that providers use for "slow down" (EIP-1474 -32005, and plain 429). */
    private static final int RPC_LIMIT_EXCEEDED = -32005;
    private static final int RPC_TOO_MANY_REQUESTS = 429;

    private final URI uri;
    private final HttpClient client;
    private final RetryPolicy retryPolicy;
    private final Duration requestTimeout;
    private final Map<String, String> headers;
    private final ObjectMapper mapper = ObjectMapperFactory.getObjectMapper();

    public HttpClientWeb3jService(String url) {
        this(url, RetryPolicy.defaults(), Duration.ofSeconds(30), Map.of());
    }

    public HttpClientWeb3jService(String url, RetryPolicy retryPolicy, Duration requestTimeout,
                                  Map<String, String> headers) {
        this.uri = URI.create(url);
        this.retryPolicy = retryPolicy;
        this.requestTimeout = requestTimeout;
        this.headers = Map.copyOf(headers);
        this.client = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** The endpoint this service talks to. */
    public String url() {
        return uri.toString();
    }

    @Override
    public <T extends Response> T send(Request request, Class<T> responseType) throws IOException {
        return mapper.readValue(post(request).traverse(mapper), responseType);
    }

    @Override
    public <T extends Response> CompletableFuture<T> sendAsync(Request request, Class<T> responseType) {
        return postAsync(serialize(request), 1).thenApply(node -> {
            try {
                return mapper.readValue(node.traverse(mapper), responseType);
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        });
    }

    @Override
    public BatchResponse sendBatch(BatchRequest batchRequest) throws IOException {
        if (batchRequest.getRequests().isEmpty()) {
            return new BatchResponse(List.of(), List.of());
        }
        return toBatchResponse(batchRequest, postWithRetry(serialize(batchRequest.getRequests())));
    }

    @Override
    public CompletableFuture<BatchResponse> sendBatchAsync(BatchRequest batchRequest) {
        if (batchRequest.getRequests().isEmpty()) {
            return CompletableFuture.completedFuture(new BatchResponse(List.of(), List.of()));
        }
        return postAsync(serialize(batchRequest.getRequests()), 1).thenApply(node -> {
            try {
                return toBatchResponse(batchRequest, node);
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        });
    }

    @Override
    public <T extends Notification<?>> Flowable<T> subscribe(Request request, String unsubscribeMethod,
                                                             Class<T> responseType) {
        throw new UnsupportedOperationException(
                "Subscriptions need a WebSocket transport; over HTTP poll with io.gridshare.chain.events.LogWatcher");
    }

    @Override
    public void close() {
        client.close();
    }

    private JsonNode post(Request<?, ?> request) throws IOException {
        return postWithRetry(serialize(request));
    }

    private String serialize(Object payload) {
        try {
            return mapper.writeValueAsString(payload);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot serialize JSON-RPC request: " + e.getMessage(), e);
        }
    }

    private HttpRequest httpRequest(String body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(builder::header);
        return builder.build();
    }

    private JsonNode postWithRetry(String body) throws IOException {
        String lastProblem = "no attempt made";
        Throwable lastCause = null;
        for (int attempt = 1; attempt <= retryPolicy.maxAttempts(); attempt++) {
            try {
                HttpResponse<String> response = client.send(httpRequest(body), HttpResponse.BodyHandlers.ofString());
                Outcome outcome = classify(response);
                if (outcome.node() != null) {
                    return outcome.node();
                }
                lastProblem = outcome.problem();
                lastCause = null;
            } catch (HttpTimeoutException e) {
                lastProblem = "no answer within " + requestTimeout.toMillis() + " ms";
                lastCause = e;
            } catch (IOException e) {
                lastProblem = describe(e);
                lastCause = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("Interrupted while calling " + uri, e);
            }
            if (attempt < retryPolicy.maxAttempts()) {
                Duration wait = retryPolicy.backoff(attempt);
                LOG.log(System.Logger.Level.DEBUG, "RPC {0} failed ({1}); retrying in {2} ms", uri, lastProblem, wait.toMillis());
                sleep(wait);
            }
        }
        throw new RpcUnavailableException(uri.toString(), retryPolicy.maxAttempts(), lastProblem, lastCause);
    }

    private CompletableFuture<JsonNode> postAsync(String body, int attempt) {
        return client.sendAsync(httpRequest(body), HttpResponse.BodyHandlers.ofString())
                .handle((response, error) -> {
                    String problem;
                    Throwable cause = null;
                    if (error == null) {
                        Outcome outcome = classify(response);
                        if (outcome.node() != null) {
                            return CompletableFuture.completedFuture(outcome.node());
                        }
                        problem = outcome.problem();
                    } else {
                        cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                        if (!(cause instanceof IOException)) {
                            return CompletableFuture.<JsonNode>failedFuture(cause);
                        }
                        problem = describe((IOException) cause);
                    }
                    if (attempt >= retryPolicy.maxAttempts()) {
                        return CompletableFuture.<JsonNode>failedFuture(
                                new RpcUnavailableException(uri.toString(), attempt, problem, cause));
                    }
                    Executor delayed = CompletableFuture.delayedExecutor(
                            retryPolicy.backoff(attempt).toMillis(), TimeUnit.MILLISECONDS);
                    return CompletableFuture.supplyAsync(() -> null, delayed)
                            .thenCompose(ignored -> postAsync(body, attempt + 1));
                })
                .thenCompose(f -> f);
    }

    /** Either a parsed JSON body worth returning, or the reason the attempt counts as transient. */
    private record Outcome(JsonNode node, String problem) {
    }

    private Outcome classify(HttpResponse<String> response) {
        int status = response.statusCode();
        if (status == 429) {
            return new Outcome(null, "HTTP 429 (rate limited)");
        }
        if (status >= 500) {
            return new Outcome(null, "HTTP " + status + " " + abbreviate(response.body()));
        }
        JsonNode node;
        try {
            node = mapper.readTree(response.body());
        } catch (IOException e) {
            return new Outcome(null, "HTTP " + status + " with a body that is not JSON: " + abbreviate(response.body()));
        }
        if (node == null || node.isMissingNode()) {
            return new Outcome(null, "HTTP " + status + " with an empty body");
        }
        if (isRateLimited(node)) {
            return new Outcome(null, "JSON-RPC rate limit: " + abbreviate(node.toString()));
        }
        if (status >= 400 && !node.has("jsonrpc") && !node.isArray()) {
            return new Outcome(null, "HTTP " + status + " " + abbreviate(response.body()));
        }
        return new Outcome(node, null);
    }

    private static boolean isRateLimited(JsonNode node) {
        if (node.isArray()) {
            for (JsonNode element : node) {
                if (isRateLimited(element)) {
                    return true;
                }
            }
            return false;
        }
        JsonNode error = node.get("error");
        if (error == null || !error.has("code")) {
            return false;
        }
        int code = error.get("code").asInt();
        return code == RPC_LIMIT_EXCEEDED || code == RPC_TOO_MANY_REQUESTS;
    }

    private BatchResponse toBatchResponse(BatchRequest batchRequest, JsonNode node) throws IOException {
        List<Request<?, ? extends Response<?>>> requests = batchRequest.getRequests();
        if (!node.isArray()) {
            throw new IOException("Batch request to " + uri + " got a non-array answer: " + abbreviate(node.toString()));
        }
        Map<Long, JsonNode> byId = new HashMap<>();
        for (JsonNode element : (ArrayNode) node) {
            byId.put(element.path("id").asLong(), element);
        }
        List<Response<?>> responses = new ArrayList<>(requests.size());
        for (Request<?, ? extends Response<?>> request : requests) {
            JsonNode element = byId.get(request.getId());
            if (element == null) {
                throw new IOException("Batch answer from " + uri + " lacks the response to request id "
                        + request.getId() + " (" + request.getMethod() + ")");
            }
            responses.add(mapper.readValue(element.traverse(mapper), request.getResponseType()));
        }
        return new BatchResponse(requests, responses);
    }

    private String describe(IOException e) {
        String name = e.getClass().getSimpleName();
        String message = e.getMessage();
        if (e instanceof java.net.ConnectException) {
            return "connection refused (" + name + ")";
        }
        return name + (message == null ? "" : ": " + message);
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        return text.length() <= 200 ? text : text.substring(0, 200) + "…";
    }

    private static void sleep(Duration wait) {
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
