package io.gridshare.gateway.grid.routing;

/**
 * Receives one routed job's events on the member that asked for the job (where its tenant is), in the
 * order the owner member emitted them. Calls come on one Hazelcast listener thread shared by all routed
 * jobs of this member: hand the event off (e.g. to the tenant's gRPC stream queue) and return; never
 * block in a callback.
 */
public interface JobEventListener {

    /** One event of the running job (e.g. a serialized NodeLink job event with tokens). */
    void onEvent(byte[] event);

    /** The job ended normally; {@code event} is the node's final event. No further calls follow. */
    void onCompleted(byte[] event);

    /**
     * The job cannot go on here: the owner member rejected the assignment, the node failed, the owner
     * member left the cluster, or events were lost. Fail over (reserve elsewhere, resume with the tokens
     * already sent). No further calls follow.
     */
    void onFailed(String reason);
}
