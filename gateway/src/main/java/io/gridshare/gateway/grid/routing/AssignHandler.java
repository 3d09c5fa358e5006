package io.gridshare.gateway.grid.routing;

/**
 * Runs routed jobs on the nodes linked to this member: the gateway's node-link side registers one with
 * {@link JobRouter#serveAssignments}.
 */
public interface AssignHandler {

    /**
     * Sends the assignment to the node over its link and arranges for the node's job events to go to
     * {@code sink}. Return quickly (do not wait for tokens).
     *
     * @throws RouteRejectedException when the node is not linked here (any more) or cannot take the job;
     *                                the requester's listener gets {@link JobEventListener#onFailed}
     */
    void assign(RoutedAssign assign, JobEventSink sink) throws RouteRejectedException;

    /** Stops a job (send Cancel to its node). Unknown or finished jobs are ignored. */
    void cancel(String jobId);

    /**
     * Sends a node a voucher (an encoded {@code io.gridshare.proto.v1.Voucher}) over its link, outside
     * any job. Return quickly.
     *
     * @return true when the node is linked here and the voucher was handed to its link
     */
    default boolean pay(String nodeId, byte[] voucher) {
        return false;
    }
}
