package io.gridshare.gateway.grid;

import java.time.Duration;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Inter-token latency per node as this gateway measures it, smoothed by an exponentially weighted moving
 * average. The gateway's relay feeds it; the {@link Scheduler} ranks by it. It is per member on purpose:
 * it measures the path from this member to the node (a node linked to another member pays the extra hop).
 */
public final class LatencyTracker {

    private final double alpha;
    private final Map<String, Double> ewmaMillis = new ConcurrentHashMap<>();

    /** @param alpha weight of the newest sample, 0 &lt; alpha &lt;= 1 (0.2: about the last ten samples matter) */
    public LatencyTracker(double alpha) {
        if (!(alpha > 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1], was " + alpha);
        }
        this.alpha = alpha;
    }

    public LatencyTracker() {
        this(0.2);
    }

    /** Records the time between two tokens of a job on the node. */
    public void record(String nodeId, Duration interTokenLatency) {
        double sample = interTokenLatency.toNanos() / 1e6;
        ewmaMillis.merge(NodeEntry.canonicalNodeId(nodeId), sample, (old, s) -> old + alpha * (s - old));
    }

    /** The smoothed inter-token latency in milliseconds, if any sample was recorded. */
    public OptionalDouble interTokenMillis(String nodeId) {
        Double v = ewmaMillis.get(NodeEntry.canonicalNodeId(nodeId));
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /** Forgets a node (it left the grid). */
    public void forget(String nodeId) {
        ewmaMillis.remove(NodeEntry.canonicalNodeId(nodeId));
    }
}
