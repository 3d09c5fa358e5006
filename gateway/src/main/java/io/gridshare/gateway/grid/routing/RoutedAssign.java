package io.gridshare.gateway.grid.routing;

import java.util.Objects;
import java.util.UUID;

/**
 * An assignment sent to the member that holds a node's link.
 *
 * @param jobId           the job
 * @param nodeId          the node whose slot was reserved for it
 * @param requesterMember the member where the job's tenant is connected
 * @param assignment      the assignment as the gateway encodes it (e.g. a serialized NodeLink Assign)
 */
public record RoutedAssign(String jobId, String nodeId, UUID requesterMember, byte[] assignment) {
    public RoutedAssign {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(requesterMember, "requesterMember");
        Objects.requireNonNull(assignment, "assignment");
    }
}
