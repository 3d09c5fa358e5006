package io.gridshare.gateway.grid;

import java.util.Objects;
import java.util.Set;

/**
 * A job to place.
 *
 * @param tenantId      who pays (channel or account id): the unit of fairness
 * @param jobId         the job
 * @param query         model and maximum price
 * @param excludedNodes nodes not to use (on failover: the node that just failed the job)
 */
public record JobRequest(String tenantId, String jobId, ModelQuery query, Set<String> excludedNodes) {
    public JobRequest {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(query, "query");
        excludedNodes = excludedNodes.stream().map(NodeEntry::canonicalNodeId).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    public JobRequest(String tenantId, String jobId, ModelQuery query) {
        this(tenantId, jobId, query, Set.of());
    }
}
