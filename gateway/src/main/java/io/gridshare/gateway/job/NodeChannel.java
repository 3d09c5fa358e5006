package io.gridshare.gateway.job;

import io.gridshare.proto.v1.Assign;

/**
 * The way to one node's link for job traffic, wherever the link lives: on this gateway member, or on
 * another member (relayed through the cluster).
 */
public interface NodeChannel {

    String nodeId();

    /**
     * Sends Assign; the node's events for this job then go to {@code events} until it is done, failed
     * or cancelled.
     *
     * @return false when the link is already gone (nothing was sent; pick another node)
     */
    boolean assign(Assign assign, NodeJobEvents events);

    /** Lets the node send {@code tokens} more tokens of the job. */
    void credit(String jobId, int tokens);

    /** Stops the job on the node; no events for it follow. */
    void cancel(String jobId, String reason);

    /**
     * Sends the node a voucher of the gateway's channel to it (GatewayMessage.payment).
     *
     * @return true when the voucher was handed to a live link to the node; false when the node is not
     *     linked there (any more): nothing was sent, the payer sends it again later
     */
    default boolean pay(io.gridshare.proto.v1.Voucher voucher) {
        return false;
    }
}
