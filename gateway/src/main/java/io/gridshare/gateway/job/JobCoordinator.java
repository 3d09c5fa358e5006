package io.gridshare.gateway.job;

import io.gridshare.gateway.config.GatewaySettings;
import io.gridshare.gateway.observe.GatewayObserver;
import io.gridshare.gateway.placement.Placement;
import io.gridshare.proto.v1.ChatMessage;
import io.gridshare.proto.v1.GenerateRequest;
import io.grpc.Status;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns a tenant's GenerateRequest into a running job: validates it, picks and reserves a slot through
 * the grid, and hands the job to a {@link TenantJob} that relays its tokens. Shared by the gRPC and the
 * OpenAI-compatible front ends.
 */
public final class JobCoordinator {

    private static final int MAX_MODEL_CHARS = 256;
    private static final int MAX_CHAT_MESSAGES = 1024;
    private static final int MAX_ROLE_CHARS = 64;

    private final GatewaySettings settings;
    private final Placement placement;
    private final NodeChannels channels;
    private final JobMeter meter;
    private final GatewayObserver observer;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, TenantJob> running = new ConcurrentHashMap<>();
    private final java.util.concurrent.ScheduledExecutorService timers =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "gridshare-job-failover");
                t.setDaemon(true);
                return t;
            });

    public JobCoordinator(GatewaySettings settings, Placement placement, NodeChannels channels, JobMeter meter,
                          GatewayObserver observer) {
        this.settings = settings;
        this.placement = placement;
        this.channels = channels;
        this.meter = meter;
        this.observer = observer;
    }

    /**
     * Validates and places a job. On success the tenant has been sent Accepted and tokens follow; on
     * failure the returned status (never OK) says why, and nothing was sent.
     */
    public Result start(GenerateRequest request, TenantSink sink) {
        Status invalid = validate(request);
        if (invalid != null) {
            observer.requestRejected(invalid.getCode().name());
            return new Result(null, invalid);
        }
        BigInteger maxPrice = request.hasMaxPricePerToken()
                ? new BigInteger(request.getMaxPricePerToken().getBaseUnits()).subtract(settings.feePerToken())
                : null;
        if (maxPrice != null && maxPrice.signum() < 0) {
            Status refused = Status.FAILED_PRECONDITION.withDescription("max_price_per_token "
                    + request.getMaxPricePerToken().getBaseUnits() + " is below this gateway's fee of "
                    + settings.feePerToken() + " per token; raise the maximum");
            observer.requestRejected(refused.getCode().name());
            return new Result(null, refused);
        }
        String jobId = UUID.randomUUID().toString();
        String tenantId = request.hasChannel() ? request.getChannel().getChainId() + ":" + request.getChannel().getContract()
                + ":" + request.getChannel().getChannelId() : "anonymous";
        Placement.Selection s = placement.reserve(jobId, tenantId, request.getModel(), maxPrice, java.util.Set.of());
        if (s instanceof Placement.Selection.Refused refusal) {
            Status refused = switch (refusal.reason()) {
                case UNKNOWN_MODEL -> Status.NOT_FOUND;
                case PRICE_TOO_HIGH -> Status.FAILED_PRECONDITION;
                case NO_FREE_SLOT, TENANT_LIMIT -> Status.RESOURCE_EXHAUSTED;
            };
            refused = refused.withDescription(refusal.message());
            observer.requestRejected(refused.getCode().name());
            return new Result(null, refused);
        }
        Placement.Selection.Reserved reserved = (Placement.Selection.Reserved) s;
        int maxTokens = request.getMaxTokens() == 0
                ? Math.min(settings.maxTokensLimit(), reserved.contextLength() > 0
                        ? reserved.contextLength() : settings.maxTokensLimit())
                : request.getMaxTokens();
        long seed = request.hasSeed() ? request.getSeed() : random.nextLong() & Long.MAX_VALUE;
        TenantJob job = new TenantJob(jobId, tenantId, request, seed, maxPrice, maxTokens, sink, context);
        running.put(job.jobId(), job);
        job.start(reserved);
        return new Result(job, Status.OK);
    }

    /** A started job, or the status that refused it. */
    public record Result(TenantJob job, Status status) {
        public boolean started() {
            return job != null;
        }
    }

    /** Null when the request is well-formed, else INVALID_ARGUMENT saying which field is wrong. */
    Status validate(GenerateRequest r) {
        String problem = null;
        if (r.getModel().isBlank()) {
            problem = "model is required (a name such as \"stories260K\", or the 64-hex model hash)";
        } else if (r.getModel().length() > MAX_MODEL_CHARS) {
            problem = "model is longer than " + MAX_MODEL_CHARS + " characters";
        } else if (!r.getPrompt().isEmpty() && r.getMessagesCount() > 0) {
            problem = "send either a prompt or chat messages, not both";
        } else if (r.getMessagesCount() > MAX_CHAT_MESSAGES) {
            problem = "messages has " + r.getMessagesCount() + " turns; this gateway accepts at most " + MAX_CHAT_MESSAGES;
        } else if ((problem = chatProblem(r)) != null) {
            // chatProblem said what is wrong
        } else if (r.getPrompt().length() > settings.maxPromptChars()) {
            problem = "prompt has " + r.getPrompt().length() + " characters; this gateway accepts at most "
                    + settings.maxPromptChars();
        } else if (r.getMaxTokens() > settings.maxTokensLimit()) {
            problem = "max_tokens " + r.getMaxTokens() + " exceeds this gateway's limit of " + settings.maxTokensLimit();
        } else if (!Float.isFinite(r.getTemperature()) || r.getTemperature() < 0 || r.getTemperature() > 2) {
            problem = "temperature must be between 0 (greedy) and 2, was " + r.getTemperature();
        } else if (!Float.isFinite(r.getTopP()) || r.getTopP() < 0 || r.getTopP() > 1) {
            problem = "top_p must be between 0 and 1, was " + r.getTopP();
        } else if (r.hasMaxPricePerToken() && !isBaseUnits(r.getMaxPricePerToken().getBaseUnits())) {
            problem = "max_price_per_token.base_units must be a non-negative base-10 integer, was '"
                    + r.getMaxPricePerToken().getBaseUnits() + "'";
        }
        return problem == null ? null : Status.INVALID_ARGUMENT.withDescription(problem);
    }

    /** Null when every chat turn has a sane role and the conversation fits the prompt limit. */
    private String chatProblem(GenerateRequest r) {
        long chars = 0;
        for (int i = 0; i < r.getMessagesCount(); i++) {
            ChatMessage m = r.getMessages(i);
            if (m.getRole().isBlank()) {
                return "messages[" + i + "].role is required (system, user or assistant)";
            }
            if (m.getRole().length() > MAX_ROLE_CHARS) {
                return "messages[" + i + "].role is longer than " + MAX_ROLE_CHARS + " characters";
            }
            chars += m.getContent().length();
        }
        if (chars > settings.maxPromptChars()) {
            return "messages have " + chars + " characters of content; this gateway accepts at most "
                    + settings.maxPromptChars();
        }
        return null;
    }

    private static boolean isBaseUnits(String s) {
        return !s.isEmpty() && s.length() <= 78 && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** Jobs running now on this member (for metrics and shutdown). */
    public int runningJobs() {
        return running.size();
    }

    /** Cancels every running job (the member is shutting down). */
    public void cancelAll(String reason) {
        running.values().forEach(j -> j.cancel(reason, false));
        timers.shutdownNow();
    }

    public Placement placement() {
        return placement;
    }

    private final TenantJob.JobContext context = new TenantJob.JobContext() {
        @Override
        public GatewaySettings settings() {
            return settings;
        }

        @Override
        public Placement placement() {
            return placement;
        }

        @Override
        public NodeChannels channels() {
            return channels;
        }

        @Override
        public JobMeter meter() {
            return meter;
        }

        @Override
        public GatewayObserver observer() {
            return observer;
        }

        @Override
        public java.util.concurrent.ScheduledExecutorService timers() {
            return timers;
        }

        @Override
        public void jobEnded(TenantJob job) {
            running.remove(job.jobId());
        }
    };
}
