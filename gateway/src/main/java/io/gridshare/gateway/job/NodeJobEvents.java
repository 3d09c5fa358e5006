package io.gridshare.gateway.job;

import io.gridshare.proto.v1.JobDone;
import io.gridshare.proto.v1.JobTokens;

/** One job's events from the node that runs it. Called in order, from one thread at a time. */
public interface NodeJobEvents {

    void onTokens(JobTokens tokens);

    void onDone(JobDone done);

    /**
     * The job stopped on this node without finishing.
     *
     * @param retryable true when another node may resume it (link lost, heartbeat expired, node
     *     out of memory); false for a request the node cannot run anywhere
     */
    void onFailed(String message, boolean retryable);
}
