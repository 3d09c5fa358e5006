package io.gridshare.node.engine;

/**
 * Receives a job's output. Called from the engine's step thread, never concurrently for one job.
 * The step thread serves every job of the model, so a sink must not block in {@link #onToken}: a
 * sink that cannot take a token now (a slow tenant, no credit) says so in {@link #ready()}, and its
 * job sits steps out until it is ready again, without holding up the others.
 */
public interface TokenSink {

    /**
     * Whether {@link #onToken} can take a token now without waiting. Polled by the engine before it
     * delivers each token; a sink that answers false is asked again within a few milliseconds, or
     * at once after {@link Job#cancel()}.
     */
    default boolean ready() {
        return true;
    }

    /** One generated token; {@code token.index()} counts from the job's first output token. */
    void onToken(GeneratedToken token);

    /** The job ended; called exactly once, after the last {@link #onToken}. */
    void onFinished(JobOutcome outcome);
}
