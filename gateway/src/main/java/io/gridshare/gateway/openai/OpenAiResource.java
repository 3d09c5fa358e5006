package io.gridshare.gateway.openai;

import io.gridshare.gateway.GatewayServices;
import io.gridshare.gateway.job.JobCoordinator;
import io.gridshare.gateway.observe.GatewayObserver;
import io.gridshare.gateway.placement.Placement;
import io.gridshare.proto.v1.Completed;
import io.gridshare.proto.v1.FinishReason;
import io.gridshare.proto.v1.GenerateRequest;
import io.gridshare.proto.v1.GenerateServerMessage;
import io.gridshare.proto.v1.Receipt;
import io.grpc.Status;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * OpenAI-compatible endpoints over the same jobs as gRPC Generate: {@code POST /v1/completions},
 * {@code POST /v1/chat/completions} (streamed as server-sent events with {@code "stream": true}) and
 * {@code GET /v1/models}. Errors are OpenAI-style JSON bodies with matching HTTP codes.
 *
 * <p>On a paid gateway a request must carry {@code Authorization: Bearer <api-key>} of a delegated
 * session ({@link OpenAiSession}); its job runs as a real tenant of this gateway's gRPC API
 * ({@link PaidRestJobs}), paying by the same rules as any gRPC tenant. The last chunk (or the JSON
 * response) carries the job's receipt as {@code gridshare_receipt}.
 */
@Path("/v1")
@ApplicationScoped
public class OpenAiResource {

    private static final int SINK_WINDOW = 16;
    private static final long IDLE_POLL_MILLIS = 30_000;

    private final GatewayServices services;
    private final GatewayObserver observer;
    private final Supplier<Optional<PaidRestJobs>> paid;

    @Inject
    public OpenAiResource(GatewayServices services, GatewayObserver observer, OpenAiPayments payments) {
        this(services, observer, payments::paid);
    }

    /**
     * @param paid the paid path (delegated sessions), or empty while the gateway serves for free
     */
    public OpenAiResource(GatewayServices services, GatewayObserver observer, Supplier<Optional<PaidRestJobs>> paid) {
        this.services = services;
        this.observer = observer;
        this.paid = paid;
    }

    @GET
    @Path("/models")
    @Produces(MediaType.APPLICATION_JSON)
    public String models() {
        JsonArrayBuilder data = Json.createArrayBuilder();
        for (Placement.ModelSummary m : services.placement().models()) {
            data.add(Json.createObjectBuilder().add("id", m.name()).add("object", "model").add("created", 0)
                    .add("owned_by", "gridshare")
                    .add("gridshare", Json.createObjectBuilder().add("model_hash", m.modelHash())
                            .add("free_slots", m.freeSlots()).add("nodes", m.nodes())
                            .add("context_length", m.contextLength())
                            .add("architecture", m.architecture()).add("parameters", m.parameters())
                            .add("quantization", m.quantization()).add("chat", m.chat())
                            .add("min_price_per_token",
                                    m.minPricePerToken().add(services.settings().feePerToken()).toString())));
        }
        return Json.createObjectBuilder().add("object", "list").add("data", data).build().toString();
    }

    @POST
    @Path("/completions")
    @Consumes(MediaType.WILDCARD)
    public Response completions(@HeaderParam("Authorization") String authorization, String body) {
        return run(authorization, body, false);
    }

    @POST
    @Path("/chat/completions")
    @Consumes(MediaType.WILDCARD)
    public Response chatCompletions(@HeaderParam("Authorization") String authorization, String body) {
        return run(authorization, body, true);
    }

    private Response run(String authorization, String body, boolean chat) {
        observer.requestReceived("openai");
        Optional<PaidRestJobs> paidJobs = paid.get();
        Optional<OpenAiSession> session = paidJobs.flatMap(p -> p.session(authorization));
        if (paidJobs.isPresent() && session.isEmpty()) {
            observer.requestRejected(Status.Code.UNAUTHENTICATED.name());
            return error(Status.UNAUTHENTICATED.withDescription((authorization == null
                    ? "no API key: send 'Authorization: Bearer <api-key>'" : "unknown API key")
                    + ". This gateway is paid: open a channel to its payee with a session key as signer, register "
                    + "it in " + OpenAiSession.SESSIONS_FILE + " (session.<name>.api-key, .channel-id, "
                    + ".private-key) and use that api-key (docs/payments.md, 'OpenAI clients on a paid gateway')"));
        }
        JsonObject req;
        GenerateRequest request;
        try {
            req = Json.createReader(new StringReader(body)).readObject();
            request = toRequest(req, chat);
        } catch (JsonException | ClassCastException e) {
            observer.requestRejected(Status.Code.INVALID_ARGUMENT.name());
            return error(Status.INVALID_ARGUMENT.withDescription("the body must be a JSON object: " + e.getMessage()));
        } catch (IllegalArgumentException e) {
            observer.requestRejected(Status.Code.INVALID_ARGUMENT.name());
            return error(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
        }
        boolean stream = req.getBoolean("stream", false);
        JsonObject options = req.containsKey("stream_options") && req.get("stream_options") instanceof JsonObject o
                ? o : JsonValue.EMPTY_JSON_OBJECT;
        boolean includeUsage = options.getBoolean("include_usage", false);
        String model = request.getModel();

        QueueSink sink = new QueueSink(SINK_WINDOW);
        RestJob job;
        if (session.isPresent()) {
            PaidRestJobs.Started started = paidJobs.get().start(session.get(), request, sink);
            if (!started.status().isOk()) {
                observer.requestRejected(started.status().getCode().name());
                return error(started.status());
            }
            job = started.job();
        } else {
            JobCoordinator.Result started = services.jobs().start(request, sink);
            if (!started.started()) {
                return error(started.status());
            }
            job = free(started.job());
        }
        String id = (chat ? "chatcmpl-" : "cmpl-") + job.jobId();
        long created = Instant.now().getEpochSecond();
        if (!stream) {
            return collect(sink, job, id, created, model, chat);
        }
        StreamingOutput out = os -> {
            try {
                streamEvents(os, sink, job, id, created, model, chat, includeUsage);
            } catch (IOException | RuntimeException e) {
                job.cancel("HTTP client went away: " + e.getMessage());
                throw e;
            }
        };
        return Response.ok(out).type("text/event-stream").header("Cache-Control", "no-cache").build();
    }

    private static RestJob free(io.gridshare.gateway.job.TenantJob job) {
        return new RestJob() {
            @Override
            public String jobId() {
                return job.jobId();
            }

            @Override
            public void drain() {
                job.drain();
            }

            @Override
            public void cancel(String reason) {
                job.cancel(reason, false);
            }
        };
    }

    private void streamEvents(OutputStream os, QueueSink sink, RestJob job, String id,
                              long created, String model, boolean chat, boolean includeUsage) throws IOException {
        boolean first = true;
        while (true) {
            QueueSink.Item item;
            try {
                item = sink.take(IDLE_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                job.cancel("HTTP request interrupted");
                return;
            }
            if (item == null) {
                continue; // a node slower than the poll: keep waiting, the job's own failover ends it if lost
            }
            job.drain(); // room in the window again: let held tokens through
            switch (item) {
                case QueueSink.Message(GenerateServerMessage m) when m.hasTokens() -> {
                    JsonObjectBuilder choice = Json.createObjectBuilder().add("index", 0);
                    if (chat) {
                        JsonObjectBuilder delta = Json.createObjectBuilder();
                        if (first) {
                            delta.add("role", "assistant");
                        }
                        choice.add("delta", delta.add("content", m.getTokens().getText()));
                    } else {
                        choice.add("text", m.getTokens().getText()).add("logprobs", JsonValue.NULL);
                    }
                    choice.add("finish_reason", JsonValue.NULL);
                    first = false;
                    event(os, chunk(id, created, model, chat).add("choices", Json.createArrayBuilder().add(choice)));
                }
                case QueueSink.Message(GenerateServerMessage m) when m.hasCompleted() -> {
                    Completed c = m.getCompleted();
                    JsonObjectBuilder choice = Json.createObjectBuilder().add("index", 0);
                    if (chat) {
                        choice.add("delta", Json.createObjectBuilder());
                    } else {
                        choice.add("text", "").add("logprobs", JsonValue.NULL);
                    }
                    choice.add("finish_reason", finishReason(c.getFinishReason()));
                    // the receipt rides on the last chunk (the usage chunk when one is asked for)
                    JsonObjectBuilder last = chunk(id, created, model, chat)
                            .add("choices", Json.createArrayBuilder().add(choice));
                    if (includeUsage) {
                        event(os, last);
                        last = chunk(id, created, model, chat).add("choices", Json.createArrayBuilder())
                                .add("usage", usage(c));
                    }
                    event(os, withReceipt(last, c));
                }
                case QueueSink.Message m -> { } // Accepted, PaymentDue: nothing in the OpenAI format
                case QueueSink.End(Status status) -> {
                    if (!status.isOk()) {
                        event(os, Json.createObjectBuilder().add("error", errorBody(status)));
                    }
                    os.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
                    os.flush();
                    return;
                }
            }
        }
    }

    private Response collect(QueueSink sink, RestJob job, String id, long created,
                             String model, boolean chat) {
        StringBuilder text = new StringBuilder();
        Completed completed = null;
        while (true) {
            QueueSink.Item item;
            try {
                item = sink.take(IDLE_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                job.cancel("HTTP request interrupted");
                return error(Status.CANCELLED.withDescription("interrupted"));
            }
            if (item == null) {
                continue;
            }
            job.drain();
            if (item instanceof QueueSink.Message(GenerateServerMessage m)) {
                if (m.hasTokens()) {
                    text.append(m.getTokens().getText());
                } else if (m.hasCompleted()) {
                    completed = m.getCompleted();
                }
            } else if (item instanceof QueueSink.End(Status status)) {
                if (!status.isOk()) {
                    return error(status);
                }
                break;
            }
        }
        JsonObjectBuilder choice = Json.createObjectBuilder().add("index", 0);
        if (chat) {
            choice.add("message", Json.createObjectBuilder().add("role", "assistant").add("content", text.toString()));
        } else {
            choice.add("text", text.toString()).add("logprobs", JsonValue.NULL);
        }
        choice.add("finish_reason", finishReason(completed.getFinishReason()));
        JsonObject body = withReceipt(Json.createObjectBuilder().add("id", id)
                .add("object", chat ? "chat.completion" : "text_completion").add("created", created)
                .add("model", model).add("choices", Json.createArrayBuilder().add(choice))
                .add("usage", usage(completed)), completed).build();
        return Response.ok(body.toString(), MediaType.APPLICATION_JSON).build();
    }

    private static JsonObjectBuilder chunk(String id, long created, String model, boolean chat) {
        return Json.createObjectBuilder().add("id", id)
                .add("object", chat ? "chat.completion.chunk" : "text_completion").add("created", created)
                .add("model", model);
    }

    private static void event(OutputStream os, JsonObjectBuilder json) throws IOException {
        os.write(("data: " + json.build() + "\n\n").getBytes(StandardCharsets.UTF_8));
        os.flush();
    }

    /** Adds {@code gridshare_receipt} (tokens, amount, price, channel, node ids and shares, model hash) when the job has one. */
    private static JsonObjectBuilder withReceipt(JsonObjectBuilder json, Completed c) {
        if (!c.hasReceipt()) {
            return json;
        }
        Receipt r = c.getReceipt();
        JsonArrayBuilder nodes = Json.createArrayBuilder();
        r.getNodeIdsList().forEach(nodes::add);
        JsonArrayBuilder shares = Json.createArrayBuilder();
        r.getNodeSharesList().forEach(s -> shares.add(Json.createObjectBuilder().add("node_id", s.getNodeId())
                .add("tokens", s.getTokens())));
        JsonObjectBuilder receipt = Json.createObjectBuilder().add("job_id", r.getJobId()).add("tokens", r.getTokens())
                .add("amount", baseUnits(r.getAmount().getBaseUnits()))
                .add("price_per_token", baseUnits(r.getPricePerToken().getBaseUnits()))
                .add("node_ids", nodes).add("node_shares", shares).add("model_hash", r.getModelHash());
        if (r.hasChannel() && !r.getChannel().getContract().isEmpty()) {
            receipt.add("channel", Json.createObjectBuilder().add("chain_id", r.getChannel().getChainId())
                    .add("contract", r.getChannel().getContract()).add("channel_id", r.getChannel().getChannelId()));
        } else {
            receipt.add("channel", JsonValue.NULL);
        }
        return json.add("gridshare_receipt", receipt);
    }

    private static String baseUnits(String value) {
        return value == null || value.isEmpty() ? "0" : value;
    }

    private static JsonObject usage(Completed c) {
        int prompt = c.getUsage().getPromptTokens();
        int completion = c.getUsage().getCompletionTokens();
        return Json.createObjectBuilder().add("prompt_tokens", prompt).add("completion_tokens", completion)
                .add("total_tokens", prompt + completion).build();
    }

    private static JsonValue finishReason(FinishReason r) {
        return switch (r) {
            case FINISH_REASON_STOP -> Json.createValue("stop");
            case FINISH_REASON_LENGTH -> Json.createValue("length");
            case FINISH_REASON_CANCELLED -> Json.createValue("cancelled");
            case FINISH_REASON_PAYMENT_REQUIRED -> Json.createValue("payment_required");
            default -> JsonValue.NULL;
        };
    }

    /** Maps the OpenAI body onto a GenerateRequest; IllegalArgumentException names the bad field. */
    static GenerateRequest toRequest(JsonObject req, boolean chat) {
        GenerateRequest.Builder b = GenerateRequest.newBuilder();
        if (!(req.get("model") instanceof jakarta.json.JsonString model)) {
            throw new IllegalArgumentException("'model' is required: a model name (GET /v1/models) or hash");
        }
        b.setModel(model.getString());
        if (chat) {
            if (!(req.get("messages") instanceof JsonArray messages) || messages.isEmpty()) {
                throw new IllegalArgumentException("'messages' must be a non-empty array");
            }
            // the node renders the turns with the model's own chat template
            b.addAllMessages(ChatTemplate.messages(messages));
        } else {
            JsonValue p = req.get("prompt");
            if (p instanceof jakarta.json.JsonString s) {
                b.setPrompt(s.getString());
            } else if (p instanceof JsonArray a && a.size() == 1 && a.get(0) instanceof jakarta.json.JsonString s) {
                b.setPrompt(s.getString());
            } else if (p != null) {
                throw new IllegalArgumentException("'prompt' must be a string (one prompt per request)");
            }
        }
        String tokensField = req.containsKey("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        b.setMaxTokens(nonNegativeInt(req, tokensField, 16));
        b.setTemperature((float) number(req, "temperature", 1.0));
        b.setTopP((float) number(req, "top_p", 1.0));
        if (req.get("seed") instanceof JsonNumber seed) {
            b.setSeed(seed.longValueExact());
        }
        if (req.containsKey("n") && nonNegativeInt(req, "n", 1) != 1) {
            throw new IllegalArgumentException("'n' must be 1: one completion per request");
        }
        return b.build();
    }

    private static double number(JsonObject req, String field, double otherwise) {
        JsonValue v = req.get(field);
        if (v == null || v.getValueType() == JsonValue.ValueType.NULL) {
            return otherwise;
        }
        if (v instanceof JsonNumber n) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException("'" + field + "' must be a number");
    }

    private static int nonNegativeInt(JsonObject req, String field, int otherwise) {
        JsonValue v = req.get(field);
        if (v == null || v.getValueType() == JsonValue.ValueType.NULL) {
            return otherwise;
        }
        if (v instanceof JsonNumber n && n.isIntegral() && n.longValue() >= 0 && n.longValue() <= Integer.MAX_VALUE) {
            return n.intValue();
        }
        throw new IllegalArgumentException("'" + field + "' must be a non-negative integer");
    }

    static Response error(Status status) {
        return Response.status(httpStatus(status.getCode())).type(MediaType.APPLICATION_JSON)
                .entity(Json.createObjectBuilder().add("error", errorBody(status)).build().toString()).build();
    }

    private static JsonObject errorBody(Status status) {
        String type = switch (status.getCode()) {
            case INVALID_ARGUMENT, FAILED_PRECONDITION, NOT_FOUND, UNAUTHENTICATED -> "invalid_request_error";
            case RESOURCE_EXHAUSTED -> "rate_limit_error";
            case UNAVAILABLE, DEADLINE_EXCEEDED -> "service_unavailable";
            default -> "server_error";
        };
        return Json.createObjectBuilder()
                .add("message", status.getDescription() == null ? status.getCode().name() : status.getDescription())
                .add("type", type).add("param", JsonValue.NULL)
                .add("code", status.getCode() == Status.Code.UNAUTHENTICATED ? "invalid_api_key"
                        : status.getCode().name().toLowerCase(java.util.Locale.ROOT)).build();
    }

    static int httpStatus(Status.Code code) {
        return switch (code) {
            case INVALID_ARGUMENT, FAILED_PRECONDITION -> 400;
            case UNAUTHENTICATED -> 401;
            case PERMISSION_DENIED -> 403;
            case NOT_FOUND -> 404;
            case RESOURCE_EXHAUSTED -> 429;
            case UNAVAILABLE -> 503;
            case DEADLINE_EXCEEDED -> 504;
            case CANCELLED -> 499;
            default -> 500;
        };
    }
}
