package io.gridshare.gateway.grid;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of one gateway's embedded Hazelcast member. Read them from MicroProfile Config with
 * {@link #from(org.eclipse.microprofile.config.Config)} (keys under {@code gridshare.grid.}) or build them
 * with {@link #builder()}.
 *
 * @param clusterName               Hazelcast cluster name; members of other names never join
 * @param gatewayId                 this gateway's id, written into the entries of nodes it links
 * @param bindAddress               address to bind to and advertise (e.g. 127.0.0.1 for local runs);
 *                                  empty lets Hazelcast pick an interface (in a pod: the pod IP)
 * @param port                      member port
 * @param portAutoIncrement         try the next ports when {@link #port} is taken
 * @param members                   TCP-IP member list ("127.0.0.1:5701", "127.0.0.1:5702-5703");
 *                                  used when {@link #kubernetesServiceDns} is empty
 * @param kubernetesServiceDns      headless Service DNS name for Kubernetes DNS-lookup discovery, e.g.
 *                                  {@code gridshare-gateway-hz.gridshare.svc.cluster.local}
 * @param partitionCount            Hazelcast partition count (every member must use the same)
 * @param heartbeatInterval         how often nodes are asked to heartbeat (sent to them in Welcome)
 * @param nodeExpiry                a node entry not refreshed for this long expires (also in Welcome)
 * @param splitBrainProtectionSize  minimum cluster size for the nodes map to accept operations; 0 = off
 * @param jobEventCapacity          ring buffer capacity of each member's routed job event topic
 * @param joinWait                  how long a starting member waits for others before it forms a
 *                                  cluster of its own (0 in tests; a few seconds in Kubernetes)
 */
public record GridConfig(String clusterName, String gatewayId, Optional<String> bindAddress, int port,
                         boolean portAutoIncrement, List<String> members, Optional<String> kubernetesServiceDns,
                         int partitionCount, Duration heartbeatInterval, Duration nodeExpiry,
                         int splitBrainProtectionSize, int jobEventCapacity, Duration joinWait) {

    public static final String PREFIX = "gridshare.grid.";

    public GridConfig {
        Objects.requireNonNull(clusterName, "clusterName");
        Objects.requireNonNull(gatewayId, "gatewayId");
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(kubernetesServiceDns, "kubernetesServiceDns");
        members = List.copyOf(members);
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException(PREFIX + "port must be 1..65535, was " + port);
        }
        if (partitionCount < 1) {
            throw new IllegalArgumentException(PREFIX + "partition-count must be >= 1, was " + partitionCount);
        }
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()
                || nodeExpiry.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException(PREFIX + "node-expiry (" + nodeExpiry
                    + ") must be at least twice heartbeat-interval (" + heartbeatInterval
                    + ") so that one late heartbeat does not drop a node");
        }
        if (splitBrainProtectionSize < 0 || jobEventCapacity < 16) {
            throw new IllegalArgumentException(PREFIX + "split-brain-protection-size must be >= 0 and "
                    + PREFIX + "job-event-capacity >= 16");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads {@code gridshare.grid.*}: cluster-name, gateway-id, bind-address, port, port-auto-increment,
     * members (comma-separated), kubernetes.service-dns, partition-count, heartbeat-interval-ms,
     * node-expiry-ms, split-brain-protection-size, job-event-capacity, join-wait-ms.
     */
    public static GridConfig from(org.eclipse.microprofile.config.Config config) {
        Builder b = builder();
        config.getOptionalValue(PREFIX + "cluster-name", String.class).ifPresent(b::clusterName);
        config.getOptionalValue(PREFIX + "gateway-id", String.class).ifPresent(b::gatewayId);
        config.getOptionalValue(PREFIX + "bind-address", String.class).ifPresent(b::bindAddress);
        config.getOptionalValue(PREFIX + "port", Integer.class).ifPresent(b::port);
        config.getOptionalValue(PREFIX + "port-auto-increment", Boolean.class).ifPresent(b::portAutoIncrement);
        config.getOptionalValues(PREFIX + "members", String.class).ifPresent(b::members);
        config.getOptionalValue(PREFIX + "kubernetes.service-dns", String.class).ifPresent(b::kubernetesServiceDns);
        config.getOptionalValue(PREFIX + "partition-count", Integer.class).ifPresent(b::partitionCount);
        config.getOptionalValue(PREFIX + "heartbeat-interval-ms", Long.class)
                .ifPresent(ms -> b.heartbeatInterval(Duration.ofMillis(ms)));
        config.getOptionalValue(PREFIX + "node-expiry-ms", Long.class)
                .ifPresent(ms -> b.nodeExpiry(Duration.ofMillis(ms)));
        config.getOptionalValue(PREFIX + "split-brain-protection-size", Integer.class)
                .ifPresent(b::splitBrainProtectionSize);
        config.getOptionalValue(PREFIX + "job-event-capacity", Integer.class).ifPresent(b::jobEventCapacity);
        config.getOptionalValue(PREFIX + "join-wait-ms", Long.class).ifPresent(ms -> b.joinWait(Duration.ofMillis(ms)));
        return b.build();
    }

    /** Mutable builder; defaults suit a local two-gateway run on loopback. */
    public static final class Builder {
        private String clusterName = "gridshare";
        private String gatewayId = "gateway";
        private Optional<String> bindAddress = Optional.empty();
        private int port = 5701;
        private boolean portAutoIncrement = false;
        private List<String> members = List.of();
        private Optional<String> kubernetesServiceDns = Optional.empty();
        private int partitionCount = 271;
        private Duration heartbeatInterval = Duration.ofSeconds(2);
        private Duration nodeExpiry = Duration.ofSeconds(10);
        private int splitBrainProtectionSize = 0;
        private int jobEventCapacity = 65_536;
        private Duration joinWait = Duration.ofSeconds(3);

        public Builder clusterName(String v) { clusterName = v; return this; }
        public Builder gatewayId(String v) { gatewayId = v; return this; }
        public Builder bindAddress(String v) { bindAddress = Optional.ofNullable(v).filter(s -> !s.isBlank()); return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder portAutoIncrement(boolean v) { portAutoIncrement = v; return this; }
        public Builder members(List<String> v) { members = v; return this; }
        public Builder kubernetesServiceDns(String v) { kubernetesServiceDns = Optional.ofNullable(v).filter(s -> !s.isBlank()); return this; }
        public Builder partitionCount(int v) { partitionCount = v; return this; }
        public Builder heartbeatInterval(Duration v) { heartbeatInterval = v; return this; }
        public Builder nodeExpiry(Duration v) { nodeExpiry = v; return this; }
        public Builder splitBrainProtectionSize(int v) { splitBrainProtectionSize = v; return this; }
        public Builder jobEventCapacity(int v) { jobEventCapacity = v; return this; }
        public Builder joinWait(Duration v) { joinWait = v; return this; }

        public GridConfig build() {
            return new GridConfig(clusterName, gatewayId, bindAddress, port, portAutoIncrement, members,
                    kubernetesServiceDns, partitionCount, heartbeatInterval, nodeExpiry, splitBrainProtectionSize,
                    jobEventCapacity, joinWait);
        }
    }
}
