package io.gridshare.node.engine;

import java.util.concurrent.CompletableFuture;

/** A running job. */
public interface Job {

    String id();

    /** Stops the job before its next token; its slot is freed. Idempotent. */
    void cancel();

    /** Completes with the outcome once the job has ended and its slot is free. */
    CompletableFuture<JobOutcome> completion();
}
