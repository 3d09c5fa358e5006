package io.gridshare.node.engine;

/**
 * Receives a job's output. Called from an engine thread, never concurrently for one job. A sink
 * that blocks in {@link #onToken} pauses its own job only (back-pressure from a slow tenant).
 */
public interface TokenSink {

    /** One generated token; {@code token.index()} counts from the job's first output token. */
    void onToken(GeneratedToken token);

    /** The job ended; called exactly once, after the last {@link #onToken}. */
    void onFinished(JobOutcome outcome);
}
