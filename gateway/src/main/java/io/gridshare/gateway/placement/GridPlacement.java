package io.gridshare.gateway.placement;

import io.gridshare.gateway.grid.AvailabilityGrid;
import io.gridshare.gateway.grid.JobRequest;
import io.gridshare.gateway.grid.ModelAvailability;
import io.gridshare.gateway.grid.ModelQuery;
import io.gridshare.gateway.grid.NodeEntry;
import io.gridshare.gateway.grid.NodeGpu;
import io.gridshare.gateway.grid.NodeHeartbeat;
import io.gridshare.gateway.grid.NodeModel;
import io.gridshare.gateway.grid.Scheduler;
import io.gridshare.gateway.grid.SchedulingException;
import java.math.BigInteger;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * {@link Placement} over the clustered availability grid (the Hazelcast IMap of live nodes) and its
 * {@link Scheduler} (ranking, fairness between tenants, reservation by entry processor).
 */
public final class GridPlacement implements Placement {

    private final AvailabilityGrid grid;
    private final Scheduler scheduler;
    private final String gatewayId;

    public GridPlacement(AvailabilityGrid grid, Scheduler scheduler, String gatewayId) {
        this.grid = grid;
        this.scheduler = scheduler;
        this.gatewayId = gatewayId;
    }

    @Override
    public void publish(LinkedNode n) {
        List<NodeGpu> gpus = n.gpus().stream()
                .map(g -> new NodeGpu(g.getOrdinal(), g.getName(), g.getTotalMemoryBytes(), g.getUuid())).toList();
        List<NodeModel> models = n.models().stream()
                .map(m -> new NodeModel(m.modelHash(), m.name(), m.contextLength(), m.architecture(), m.parameters(),
                        m.quantization(), m.chat())).toList();
        grid.publish(NodeEntry.registered(n.nodeId(), UUID.fromString(n.ownerMember()), gatewayId, gpus, models,
                n.pricePerToken(), n.totalSlots(), n.freeSlots(), System.currentTimeMillis()));
    }

    @Override
    public CompletionStage<Boolean> refresh(String nodeId, int freeSlots, int activeJobs, float load,
                                            long freeVramBytes, float tokensPerSecond) {
        return grid.heartbeatAsync(nodeId, new NodeHeartbeat(freeSlots, activeJobs, load, freeVramBytes,
                tokensPerSecond));
    }

    @Override
    public void remove(String nodeId) {
        grid.remove(nodeId);
    }

    @Override
    public Selection reserve(String jobId, String tenantId, String model, BigInteger maxPrice, Set<String> excluded) {
        try {
            io.gridshare.gateway.grid.Placement p = scheduler.place(new JobRequest(tenantId, jobId,
                    ModelQuery.of(model, maxPrice), excluded));
            NodeModel m = p.reservation().model() != null ? p.reservation().model()
                    : p.node().model(ModelQuery.of(model)).orElseThrow();
            return new Selection.Reserved(p.node().nodeId(), p.reservation().ownerMember().toString(),
                    p.reservation().pricePerToken(), m.hash(), m.name(), m.contextLength(), p);
        } catch (SchedulingException e) {
            Reason reason = switch (e.reason()) {
                case MODEL_UNAVAILABLE -> Reason.UNKNOWN_MODEL;
                case PRICE_TOO_LOW -> Reason.PRICE_TOO_HIGH;
                case NO_FREE_SLOT -> Reason.NO_FREE_SLOT;
                case TENANT_LIMIT -> Reason.TENANT_LIMIT;
            };
            return new Selection.Refused(reason, e.getMessage());
        }
    }

    @Override
    public void release(Selection.Reserved reserved) {
        scheduler.finished((io.gridshare.gateway.grid.Placement) reserved.handle());
    }

    @Override
    public List<ModelSummary> models() {
        return grid.models().stream().map(GridPlacement::summary).toList();
    }

    private static ModelSummary summary(ModelAvailability a) {
        NodeModel m = a.model();
        return new ModelSummary(m.name(), m.hash(), a.freeSlots(), a.totalSlots(), a.nodes(), a.minPricePerToken(),
                m.contextLength(), m.architecture(), m.parameters(), m.quantization(), m.chat());
    }

    @Override
    public String localMember() {
        return grid.localMember().toString();
    }
}
