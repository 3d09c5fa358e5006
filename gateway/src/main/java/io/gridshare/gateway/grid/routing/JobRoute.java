package io.gridshare.gateway.grid.routing;

import java.util.UUID;
import java.util.concurrent.CompletionStage;

/** A routed job as the requesting member sees it. */
public interface JobRoute {

    String jobId();

    /** The member holding the node's link. */
    UUID ownerMember();

    /** Completes when the owner member has handed the assignment to the node's link; fails when it was rejected. */
    CompletionStage<Void> accepted();

    /** Cancels the job on its node (within one token, as fast as the node link acts). Idempotent. */
    void cancel();
}
