package io.gridshare.gateway.grid;

import com.hazelcast.core.HazelcastInstance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Real Hazelcast members on loopback in this JVM: TCP-IP join on 127.0.0.1, free ports, a cluster name
 * of their own (other test runs on this machine never join), multicast off.
 */
public final class TestGrid implements AutoCloseable {

    static final String STORIES_HASH = "a".repeat(64);
    static final NodeModel STORIES = new NodeModel(STORIES_HASH, "stories260K", 512);

    // held so the level sticks: JUL keeps loggers weakly
    private static final java.util.logging.Logger HAZELCAST_LOG = quietHazelcast();

    final List<HazelcastInstance> members = new ArrayList<>();
    final GridConfig[] configs;

    private TestGrid(GridConfig[] configs) {
        this.configs = configs;
    }

    /** Starts {@code size} members (in parallel) that form one cluster. */
    static TestGrid start(int size, Duration nodeExpiry) {
        String cluster = "grid-test-" + UUID.randomUUID();
        int[] ports = new int[size];
        for (int i = 0; i < size; i++) {
            ports[i] = freePort();
        }
        List<String> addresses = new ArrayList<>();
        for (int p : ports) {
            addresses.add("127.0.0.1:" + p);
        }
        GridConfig[] configs = new GridConfig[size];
        for (int i = 0; i < size; i++) {
            configs[i] = GridConfig.builder().clusterName(cluster).gatewayId("gateway-" + i).bindAddress("127.0.0.1")
                    .port(ports[i]).members(addresses).partitionCount(31).joinWait(Duration.ZERO)
                    .heartbeatInterval(nodeExpiry.dividedBy(4)).nodeExpiry(nodeExpiry).build();
        }
        TestGrid grid = new TestGrid(configs);
        // the first member forms the cluster; the rest join it together
        grid.members.add(HazelcastMembers.start(configs[0]));
        List<CompletableFuture<HazelcastInstance>> rest = new ArrayList<>();
        for (int i = 1; i < size; i++) {
            GridConfig c = configs[i];
            rest.add(CompletableFuture.supplyAsync(() -> HazelcastMembers.start(c)));
        }
        rest.forEach(f -> grid.members.add(f.join()));
        for (HazelcastInstance m : grid.members) {
            if (m.getCluster().getMembers().size() != size) {
                grid.close();
                throw new IllegalStateException("members did not form one cluster of " + size + ": " + m.getCluster().getMembers());
            }
        }
        // creating a map with indexes right after a join races the first partition migrations (an
        // invocation on all partitions can then wait forever on a starved 2-core machine): let the
        // partition table settle first
        for (HazelcastInstance m : grid.members) {
            m.getPartitionService().getPartitions();
        }
        org.awaitility.Awaitility.await("cluster safe").atMost(Duration.ofSeconds(90))
                .until(() -> grid.members.stream().allMatch(m -> m.getPartitionService().isClusterSafe()));
        return grid;
    }

    HazelcastInstance member(int i) {
        return members.get(i);
    }

    HazelcastAvailabilityGrid grid(int i) {
        return new HazelcastAvailabilityGrid(member(i), configs[i].nodeExpiry());
    }

    static NodeEntry node(String id, UUID owner, long price, int slots) {
        return NodeEntry.registered(id, owner, "gateway", List.of(new NodeGpu(0, "cpu", 0, "")), List.of(STORIES),
                BigInteger.valueOf(price), slots, slots, System.currentTimeMillis());
    }

    private static java.util.logging.Logger quietHazelcast() {
        java.util.logging.Logger log = java.util.logging.Logger.getLogger("com.hazelcast");
        log.setLevel(java.util.logging.Level.WARNING);
        return log;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port for a Hazelcast test member", e);
        }
    }

    @Override
    public void close() {
        members.forEach(m -> m.getLifecycleService().terminate());
    }
}
