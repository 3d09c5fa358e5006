package io.gridshare.gateway.grid;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

/**
 * A live node in the availability grid: the value of the {@code gridshare.nodes} map, keyed by
 * {@link #nodeId}. Serialized with Hazelcast Compact ({@link GridSerialization}), so fields can be added
 * without breaking members of an older version, and queried by field ({@code modelHashes[any]},
 * {@code freeSlots}, {@code pricePerToken}, {@code ownerMember}).
 *
 * <p>Slot accounting: {@link #freeSlots} is what the scheduler may still hand out. It is derived, never
 * set directly: see {@link #effectiveFreeSlots}.
 *
 * @param nodeId              the node key address (0x…, lower case)
 * @param ownerMember         the gateway member holding the node's link
 * @param gatewayId           the gateway's configured id (for logs and metrics)
 * @param gpus                GPUs the node published
 * @param models              models loaded on the node
 * @param pricePerToken       what the node charges per generated token, in base units
 * @param totalSlots          the node's capacity in concurrent jobs
 * @param freeSlots           slots the grid may still reserve (derived)
 * @param reportedFreeSlots   free slots in the node's last report
 * @param reportedActiveJobs  active jobs in the node's last report
 * @param reservedJobIds      jobs holding a slot through this grid, in reservation order
 * @param load                fraction of slots in use as the node reported, 0..1
 * @param freeVramBytes       free device memory as the node reported
 * @param tokensPerSecond     recent engine speed as the node reported
 * @param lastHeartbeatMillis epoch millis of the last publish or heartbeat
 */
public record NodeEntry(String nodeId, UUID ownerMember, String gatewayId, List<NodeGpu> gpus,
                        List<NodeModel> models, BigInteger pricePerToken, int totalSlots, int freeSlots,
                        int reportedFreeSlots, int reportedActiveJobs, List<String> reservedJobIds, float load,
                        long freeVramBytes, float tokensPerSecond, long lastHeartbeatMillis) {

    public NodeEntry {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(ownerMember, "ownerMember");
        Objects.requireNonNull(pricePerToken, "pricePerToken");
        nodeId = canonicalNodeId(nodeId);
        gatewayId = gatewayId == null ? "" : gatewayId;
        gpus = List.copyOf(gpus);
        models = List.copyOf(models);
        reservedJobIds = List.copyOf(new LinkedHashSet<>(reservedJobIds));
        if (totalSlots < 0) {
            throw new IllegalArgumentException("totalSlots must be >= 0, was " + totalSlots);
        }
        if (pricePerToken.signum() < 0) {
            throw new IllegalArgumentException("pricePerToken must be >= 0, was " + pricePerToken);
        }
        freeSlots = effectiveFreeSlots(totalSlots, reportedFreeSlots, reportedActiveJobs, reservedJobIds.size());
    }

    /**
     * A node as it registers (the node link's Hello): nothing reserved yet.
     */
    public static NodeEntry registered(String nodeId, UUID ownerMember, String gatewayId, List<NodeGpu> gpus,
                                       List<NodeModel> models, BigInteger pricePerToken, int totalSlots,
                                       int freeSlots, long nowMillis) {
        int free = Math.max(0, Math.min(freeSlots, totalSlots));
        return new NodeEntry(nodeId, ownerMember, gatewayId, gpus, models, pricePerToken, totalSlots, free, free,
                totalSlots - free, List.of(), totalSlots == 0 ? 1f : (float) (totalSlots - free) / totalSlots,
                0L, 0f, nowMillis);
    }

    /**
     * Slots the grid may still hand out. Two sources bound it: the grid's own reservations count against
     * the total ({@code total - reserved}); the node's report bounds it further for work the grid does not
     * know about (a job from a gateway of another cluster, a GPU that went away). Reservations the node
     * has not seen yet ({@code reserved - reportedActive}, when positive) are subtracted from its reported
     * free count, so a reservation is counted exactly once: neither twice (reserved and already reported
     * busy) nor zero times (reserved, but the heartbeat was sent before the assignment arrived).
     */
    public static int effectiveFreeSlots(int total, int reportedFree, int reportedActive, int reserved) {
        int notYetSeenByNode = Math.max(0, reserved - reportedActive);
        return Math.max(0, Math.min(total - reserved, reportedFree - notYetSeenByNode));
    }

    public static String canonicalNodeId(String nodeId) {
        return nodeId.toLowerCase(Locale.ROOT);
    }

    /** Hashes of the loaded models: the indexed multi-value attribute {@code modelHashes[any]}. */
    public List<String> modelHashes() {
        return models.stream().map(NodeModel::hash).toList();
    }

    /** Names of the loaded models: the indexed multi-value attribute {@code modelNames[any]}. */
    public List<String> modelNames() {
        return models.stream().map(NodeModel::name).toList();
    }

    /** The loaded model a query names, if any. */
    public java.util.Optional<NodeModel> model(ModelQuery query) {
        return models.stream()
                .filter(m -> query.byHash() ? m.hash().equals(query.canonicalHash()) : m.name().equals(query.model()))
                .findFirst();
    }

    NodeEntry withHeartbeat(NodeHeartbeat hb, long nowMillis) {
        return new NodeEntry(nodeId, ownerMember, gatewayId, gpus, models, pricePerToken, totalSlots, 0,
                hb.freeSlots(), hb.activeJobs(), reservedJobIds, hb.load(), hb.freeVramBytes(), hb.tokensPerSecond(),
                nowMillis);
    }

    NodeEntry withReserved(List<String> reserved) {
        return new NodeEntry(nodeId, ownerMember, gatewayId, gpus, models, pricePerToken, totalSlots, 0,
                reportedFreeSlots, reportedActiveJobs, reserved, load, freeVramBytes, tokensPerSecond,
                lastHeartbeatMillis);
    }

    NodeEntry withJobReserved(String jobId) {
        List<String> reserved = new ArrayList<>(reservedJobIds);
        reserved.add(jobId);
        return withReserved(reserved);
    }

    NodeEntry withJobReleased(String jobId) {
        List<String> reserved = new ArrayList<>(reservedJobIds);
        reserved.remove(jobId);
        return withReserved(reserved);
    }

    /** This registration, keeping the reservations a previous entry of the same node still holds. */
    NodeEntry keepingReservationsOf(NodeEntry previous) {
        return previous == null ? this : withReserved(previous.reservedJobIds);
    }
}
