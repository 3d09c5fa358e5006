package io.gridshare.gateway.grid.routing;

import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Routes a job to the gateway member that holds its node's link, and its events back to the member
 * where its tenant is. One per member; both sides use it:
 *
 * <ul>
 *   <li>every member registers an {@link AssignHandler} that runs routed jobs on its own node links;</li>
 *   <li>a member that reserved a slot calls {@link #route} with the reservation's owner member. When the
 *       owner is this member, the handler is called directly (no Hazelcast hop), so the gateway can use
 *       one code path for local and remote nodes.</li>
 * </ul>
 *
 * If the owner member leaves the cluster, every job routed to it fails ({@link JobEventListener#onFailed});
 * if the requesting member leaves, the owner cancels that member's jobs on their nodes.
 */
public interface JobRouter extends AutoCloseable {

    /** Sets this member's handler of routed assignments (replacing any earlier one). */
    void serveAssignments(AssignHandler handler);

    /**
     * Sends a job to the member holding its node's link.
     *
     * @param ownerMember the {@code SlotReservation.ownerMember()} of the job's reservation
     * @param jobId       the job
     * @param nodeId      the node
     * @param assignment  the encoded assignment for the handler
     * @param listener    receives the job's events on this member, in order
     */
    JobRoute route(UUID ownerMember, String jobId, String nodeId, byte[] assignment, JobEventListener listener);

    /**
     * Hands a voucher for {@code nodeId} to the member holding its link ({@link AssignHandler#pay} there;
     * directly when that is this member).
     *
     * @param ownerMember the member the grid names as holding the node's link
     * @param voucher     an encoded {@code io.gridshare.proto.v1.Voucher}
     * @return completes with true when that member had the node linked and sent the voucher on; false
     *     when it did not, or it left the cluster (never exceptionally)
     */
    CompletionStage<Boolean> pay(UUID ownerMember, String nodeId, byte[] voucher);

    /** Jobs routed from this member that have not ended. */
    int activeRoutes();

    @Override
    void close();
}
