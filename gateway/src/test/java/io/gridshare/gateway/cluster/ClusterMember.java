package io.gridshare.gateway.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.gridshare.gateway.GatewayServices;
import io.gridshare.gateway.config.GatewaySettings;
import io.gridshare.gateway.grid.GridConfig;
import io.gridshare.gateway.grid.HazelcastAvailabilityGrid;
import io.gridshare.gateway.grid.HazelcastMembers;
import io.gridshare.gateway.grid.LatencyTracker;
import io.gridshare.gateway.grid.Scheduler;
import io.gridshare.gateway.grid.routing.HazelcastJobRouter;
import io.gridshare.gateway.grpc.GrpcServer;
import io.gridshare.gateway.job.CountingJobMeter;
import io.gridshare.gateway.job.JobMeter;
import io.gridshare.gateway.link.InMemoryNodeStakeCheck;
import io.gridshare.gateway.observe.GatewayObserver;
import io.gridshare.gateway.placement.GridPlacement;
import io.gridshare.gateway.testnode.ArithmeticTestNode;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;

/**
 * One gateway member of a real Hazelcast cluster on loopback (TCP-IP join), with the clustered grid,
 * scheduler and job router, and its gRPC services on an in-process transport.
 */
final class ClusterMember implements AutoCloseable {

    static final BigInteger MIN_STAKE = BigInteger.TEN;
    // held so the level sticks: JUL keeps loggers weakly
    private static final java.util.logging.Logger HAZELCAST_LOG = quietHazelcast();

    final HazelcastInstance hazelcast;
    final HazelcastAvailabilityGrid grid;
    final HazelcastJobRouter router;
    final GatewayServices services;
    final Server server;
    final ManagedChannel channel;
    final InMemoryNodeStakeCheck stakes = new InMemoryNodeStakeCheck(MIN_STAKE);
    private final List<ArithmeticTestNode> nodes = new ArrayList<>();
    private GrpcServer loopback;

    private ClusterMember(GridConfig config, GatewaySettings settings, JobMeter meter) throws IOException {
        hazelcast = HazelcastMembers.start(config);
        grid = new HazelcastAvailabilityGrid(hazelcast, config.nodeExpiry());
        router = new HazelcastJobRouter(hazelcast);
        GridPlacement placement = new GridPlacement(grid, new Scheduler(grid, new LatencyTracker()), settings.gatewayId());
        services = new GatewayServices(settings, placement, stakes, meter, GatewayObserver.NOOP,
                links -> new ClusterRouting(hazelcast, router, links));
        String name = InProcessServerBuilder.generateName();
        InProcessServerBuilder b = InProcessServerBuilder.forName(name);
        services.grpcServices().forEach(b::addService);
        server = b.build().start();
        channel = InProcessChannelBuilder.forName(name).build();
    }

    /** Starts {@code size} members that form one cluster. */
    static List<ClusterMember> startCluster(int size, int linkCredit) throws Exception {
        return startCluster(size, s -> s.withLinkCreditTokens(linkCredit), i -> new CountingJobMeter());
    }

    /**
     * Starts {@code size} members that form one cluster; member {@code i} meters with {@code meters(i)}
     * and runs with {@code settings} applied to the test defaults.
     */
    static List<ClusterMember> startCluster(int size, UnaryOperator<GatewaySettings> settings, IntFunction<JobMeter> meters)
            throws Exception {
        String cluster = "gateway-test-" + UUID.randomUUID();
        List<String> addresses = new ArrayList<>();
        int[] ports = new int[size];
        for (int i = 0; i < size; i++) {
            ports[i] = freePort();
            addresses.add("127.0.0.1:" + ports[i]);
        }
        List<ClusterMember> members = new ArrayList<>();
        // one after the other: the first forms the cluster, the next join it (members started at the
        // same instant with no join wait can each form a cluster of their own)
        for (int i = 0; i < size; i++) {
            GatewaySettings memberSettings = settings.apply(GatewaySettings.defaults()
                    .withLinkExpiry(Duration.ofMillis(200), Duration.ofMillis(1_000)));
            GridConfig config = GridConfig.builder().clusterName(cluster).gatewayId(memberSettings.gatewayId())
                    .bindAddress("127.0.0.1").port(ports[i]).members(addresses).partitionCount(31)
                    .joinWait(Duration.ZERO).heartbeatInterval(memberSettings.heartbeatInterval())
                    .nodeExpiry(memberSettings.linkExpiry()).build();
            members.add(new ClusterMember(config, memberSettings, meters.apply(i)));
        }
        // like the readiness check: no job before the partitions have settled on their owners
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> members.stream().allMatch(m -> m.hazelcast.getPartitionService().isClusterSafe()));
        for (ClusterMember m : members) {
            if (m.hazelcast.getCluster().getMembers().size() != size) {
                members.forEach(ClusterMember::close);
                throw new IllegalStateException("members did not form one cluster: "
                        + m.hazelcast.getCluster().getMembers());
            }
        }
        return members;
    }

    ArithmeticTestNode linkedNode(long price, int slots, long tokenDelayMillis) throws Exception {
        return linkedNode(Keys.createEcKeyPair(), price, slots, tokenDelayMillis);
    }

    /** A node with {@code key} (a node that linked before, to this member or another, links again). */
    ArithmeticTestNode linkedNode(ECKeyPair key, long price, int slots, long tokenDelayMillis) throws Exception {
        String address = "0x" + Keys.getAddress(key.getPublicKey());
        stakes.stake(address, MIN_STAKE);
        ArithmeticTestNode n = new ArithmeticTestNode(channel, key, price, slots, tokenDelayMillis, true).connect();
        nodes.add(n);
        if (!n.verdict().hasWelcome()) {
            throw new AssertionError("node was not welcomed: " + n.verdict());
        }
        return n;
    }

    /** Also serves this member's gRPC services on a loopback port (for real nodes and tenant clients). */
    synchronized int serveOnLoopback() {
        if (loopback == null) {
            loopback = new GrpcServer("127.0.0.1", 0, services.settings().maxInboundMessageBytes(),
                    services.grpcServices()).start();
        }
        return loopback.port();
    }

    /** Ends this member the hard way: no goodbye to the cluster, links dropped. */
    void crash() {
        hazelcast.getLifecycleService().terminate();
        close();
    }

    private boolean closed;

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        nodes.forEach(ArithmeticTestNode::close);
        try {
            services.close();
        } catch (RuntimeException e) {
            // the member may be down already
        }
        try {
            router.close();
            grid.close();
        } catch (com.hazelcast.core.HazelcastInstanceNotActiveException crashed) {
            // crash() took the member down first: nothing left to unregister
        }
        if (loopback != null) {
            loopback.close();
        }
        channel.shutdownNow();
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        hazelcast.getLifecycleService().terminate();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port for a Hazelcast test member", e);
        }
    }

    private static java.util.logging.Logger quietHazelcast() {
        java.util.logging.Logger log = java.util.logging.Logger.getLogger("com.hazelcast");
        log.setLevel(java.util.logging.Level.WARNING);
        return log;
    }
}
