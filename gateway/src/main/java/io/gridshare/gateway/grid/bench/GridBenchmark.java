package io.gridshare.gateway.grid.bench;

import com.hazelcast.core.HazelcastInstance;
import io.gridshare.gateway.grid.GridConfig;
import io.gridshare.gateway.grid.HazelcastAvailabilityGrid;
import io.gridshare.gateway.grid.HazelcastMembers;
import io.gridshare.gateway.grid.JobRequest;
import io.gridshare.gateway.grid.LatencyTracker;
import io.gridshare.gateway.grid.ModelQuery;
import io.gridshare.gateway.grid.NodeEntry;
import io.gridshare.gateway.grid.NodeGpu;
import io.gridshare.gateway.grid.NodeHeartbeat;
import io.gridshare.gateway.grid.NodeModel;
import io.gridshare.gateway.grid.Placement;
import io.gridshare.gateway.grid.Scheduler;
import io.gridshare.gateway.grid.SlotReservation;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.HashMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Availability grid benchmark (not a test): a 2-member grid in one JVM on loopback holding N simulated
 * nodes. Measures
 * <ol>
 *   <li>heartbeat load: the most heartbeats per second the grid sustains (async entry processors from
 *       both members, bounded in flight), and the process CPU that costs;</li>
 *   <li>CPU at the nominal heartbeat rate (every node once per heartbeat interval);</li>
 *   <li>under that nominal load: reservation latency (reserve + release entry processors, p50/p99) and
 *       scheduler placement latency (candidate query + ranking + reservation, p50/p99).</li>
 * </ol>
 * Usage: {@code java -cp ... io.gridshare.gateway.grid.bench.GridBenchmark [--nodes 10000] [--models 50]
 * [--seconds 15] [--samples 5000] [--heartbeat-interval-ms 2000]}
 */
public final class GridBenchmark {

    // held in a field: JUL references loggers weakly and would forget the level
    private static final java.util.logging.Logger HAZELCAST_LOG = java.util.logging.Logger.getLogger("com.hazelcast");

    private final int nodes;
    private final int models;
    private final int seconds;
    private final int samples;
    private final long heartbeatIntervalMs;
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private GridBenchmark(Map<String, String> args) {
        nodes = Integer.parseInt(args.getOrDefault("nodes", "10000"));
        models = Integer.parseInt(args.getOrDefault("models", "50"));
        seconds = Integer.parseInt(args.getOrDefault("seconds", "15"));
        samples = Integer.parseInt(args.getOrDefault("samples", "5000"));
        heartbeatIntervalMs = Long.parseLong(args.getOrDefault("heartbeat-interval-ms", "2000"));
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        HAZELCAST_LOG.setLevel(java.util.logging.Level.WARNING);
        new GridBenchmark(args).run();
    }

    private void run() throws Exception {
        System.out.printf(Locale.ROOT, "cpus=%d loadavg-before=%s java=%s%n", Runtime.getRuntime().availableProcessors(),
                loadavg(), Runtime.version());
        String cluster = "grid-bench-" + UUID.randomUUID();
        int p0 = freePort();
        int p1 = freePort();
        List<String> members = List.of("127.0.0.1:" + p0, "127.0.0.1:" + p1);
        Duration expiry = Duration.ofMinutes(10); // no node may expire mid-measurement
        GridConfig.Builder b = GridConfig.builder().clusterName(cluster).bindAddress("127.0.0.1").members(members)
                .joinWait(Duration.ZERO).heartbeatInterval(Duration.ofMillis(heartbeatIntervalMs)).nodeExpiry(expiry);
        HazelcastInstance m0 = HazelcastMembers.start(b.gatewayId("bench-0").port(p0).build());
        HazelcastInstance m1 = HazelcastMembers.start(b.gatewayId("bench-1").port(p1).build());
        try {
            HazelcastAvailabilityGrid g0 = new HazelcastAvailabilityGrid(m0, expiry);
            HazelcastAvailabilityGrid g1 = new HazelcastAvailabilityGrid(m1, expiry);
            List<HazelcastAvailabilityGrid> grids = List.of(g0, g1);
            System.out.printf(Locale.ROOT, "members=%d nodes=%d models=%d%n", m0.getCluster().getMembers().size(),
                    nodes, models);

            String[] ids = publish(grids);

            // 0. warm-up: JIT compilation would otherwise be billed to the first measurement
            heartbeats(grids, ids, Duration.ofSeconds(Math.max(5, seconds / 2)), 0);
            latencies(grids, ids, 1000);

            // 1. the most heartbeats per second, and what each costs in CPU
            Rate max = heartbeats(grids, ids, Duration.ofSeconds(seconds), 0);
            System.out.printf(Locale.ROOT, "heartbeat max: %.0f heartbeats/s, process CPU %.2f cores (%.0f%% of %d), "
                            + "%.0f µs CPU per heartbeat (both members together)%n",
                    max.perSecond, max.cores, 100 * max.cores / Runtime.getRuntime().availableProcessors(),
                    Runtime.getRuntime().availableProcessors(), max.cores / max.perSecond * 1e6);

            // 2. latencies on a grid without heartbeat traffic
            long[][] idle = latencies(grids, ids, samples);
            long[] idlePlace = placements(g0, Math.max(100, samples / 10));
            report("idle grid", idle, idlePlace, g0);

            // 3. latencies while heartbeats arrive at the nominal rate (every node every interval), or at
            //    half the measured maximum when this machine cannot sustain the nominal rate
            double nominal = nodes * 1000.0 / heartbeatIntervalMs;
            double target = Math.min(nominal, max.perSecond / 2);
            AtomicBoolean stop = new AtomicBoolean();
            // own threads throughout: on 2 cores the common pool has one worker (or none) and would
            // serialize (or starve) the benchmark's own callbacks
            ExecutorService driver = Executors.newSingleThreadExecutor();
            CompletableFuture<Rate> background = CompletableFuture.supplyAsync(
                    () -> heartbeats(grids, ids, Duration.ofDays(1), target, stop), driver);
            long[][] loaded = latencies(grids, ids, samples);
            long[] loadedPlace = placements(g0, Math.max(100, samples / 10));
            stop.set(true);
            Rate backgroundRate = background.join();
            driver.shutdown();
            System.out.printf(Locale.ROOT, "background heartbeats: nominal %.0f/s, target %.0f/s, achieved %.0f/s, "
                    + "process CPU %.2f cores (with the probes)%n", nominal, target, backgroundRate.perSecond,
                    backgroundRate.cores);
            report("under heartbeat load", loaded, loadedPlace, g0);
            System.out.printf(Locale.ROOT, "loadavg-after=%s%n", loadavg());
            g0.close();
            g1.close();
        } finally {
            // the surviving member would log the other's departure at length: nothing to learn from it here
            HAZELCAST_LOG.setLevel(java.util.logging.Level.OFF);
            m1.getLifecycleService().terminate();
            m0.getLifecycleService().terminate();
        }
    }

    /** Reserve and release latencies (ns) on random nodes from alternating members. */
    private long[][] latencies(List<HazelcastAvailabilityGrid> grids, String[] ids, int n) {
        long[] reserve = new long[n];
        long[] release = new long[n];
        for (int i = 0; i < n; i++) {
            HazelcastAvailabilityGrid g = grids.get(i & 1);
            String id = ids[ThreadLocalRandom.current().nextInt(ids.length)];
            ModelQuery q = ModelQuery.of(model(id).hash());
            String job = "job-" + UUID.randomUUID();
            long t0 = System.nanoTime();
            SlotReservation r = g.reserve(id, job, q).orElseThrow(
                    () -> new IllegalStateException("benchmark node " + id + " had no free slot"));
            long t1 = System.nanoTime();
            g.release(r);
            long t2 = System.nanoTime();
            reserve[i] = t1 - t0;
            release[i] = t2 - t1;
        }
        return new long[][] {reserve, release};
    }

    /** Scheduler placement latencies (ns): candidate query + ranking + reservation, then finished. */
    private long[] placements(HazelcastAvailabilityGrid grid, int n) throws Exception {
        Scheduler scheduler = new Scheduler(grid, new LatencyTracker());
        long[] place = new long[n];
        for (int i = 0; i < n; i++) {
            String model = "model-" + ThreadLocalRandom.current().nextInt(models);
            long t0 = System.nanoTime();
            Placement p = scheduler.place(new JobRequest("tenant-" + (i % 7), "place-" + UUID.randomUUID(),
                    ModelQuery.of(model)));
            place[i] = System.nanoTime() - t0;
            scheduler.finished(p);
        }
        return place;
    }

    private void report(String phase, long[][] reserveRelease, long[] place, HazelcastAvailabilityGrid grid) {
        System.out.printf(Locale.ROOT, "%s: reserve p50 %s p99 %s | release p50 %s p99 %s (n=%d) | "
                        + "scheduler place p50 %s p99 %s (n=%d, %d candidates for model-0)%n", phase,
                us(pct(reserveRelease[0], 50)), us(pct(reserveRelease[0], 99)), us(pct(reserveRelease[1], 50)),
                us(pct(reserveRelease[1], 99)), reserveRelease[0].length, us(pct(place, 50)), us(pct(place, 99)),
                place.length, grid.candidates(ModelQuery.of("model-0")).size());
    }

    private NodeModel model(String nodeId) {
        int n = Integer.parseInt(nodeId.substring(nodeId.lastIndexOf('-') + 1));
        return modelNo(n % models);
    }

    private static NodeModel modelNo(int m) {
        return new NodeModel(String.format(Locale.ROOT, "%064x", m + 1), "model-" + m, 2048);
    }

    private String[] publish(List<HazelcastAvailabilityGrid> grids) {
        String[] ids = new String[nodes];
        long t0 = System.nanoTime();
        ExecutorService publishers = Executors.newFixedThreadPool(16);
        Semaphore inFlight = new Semaphore(64);
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (int n = 0; n < nodes; n++) {
            HazelcastAvailabilityGrid g = grids.get(n & 1);
            ids[n] = "0xnode-" + n;
            // every node has its own model; every other node a second one: ~1.5 × nodes/models per model
            List<NodeModel> loaded = n % 2 == 0 ? List.of(modelNo(n % models), modelNo((n / 2 + 1) % models))
                    : List.of(modelNo(n % models));
            NodeEntry e = NodeEntry.registered(ids[n], g.localMember(), "bench", List.of(new NodeGpu(0, "sim", 24L << 30, "")),
                    loaded, BigInteger.valueOf(1_000 + n % 97), 4, 4, System.currentTimeMillis());
            inFlight.acquireUninterruptibly();
            pending.add(CompletableFuture.runAsync(() -> {
                try {
                    g.publish(e);
                } finally {
                    inFlight.release();
                }
            }, publishers));
        }
        pending.forEach(CompletableFuture::join);
        publishers.shutdown();
        System.out.printf(Locale.ROOT, "published %d nodes in %d ms; grid size %d%n", nodes,
                (System.nanoTime() - t0) / 1_000_000, grids.get(0).size());
        return ids;
    }

    private record Rate(double perSecond, double cores) {
    }

    private Rate heartbeats(List<HazelcastAvailabilityGrid> grids, String[] ids, Duration duration, double targetPerSecond) {
        return heartbeats(grids, ids, duration, targetPerSecond, new AtomicBoolean());
    }

    /**
     * Heartbeats from both members, from 16 threads calling {@code heartbeat} as the gateway's gRPC
     * threads do; targetPerSecond 0 = as fast as they go.
     */
    private Rate heartbeats(List<HazelcastAvailabilityGrid> grids, String[] ids, Duration duration, double targetPerSecond,
                            AtomicBoolean stop) {
        int threads = 16;
        AtomicLong done = new AtomicLong();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        long end = t0 + duration.toNanos();
        ExecutorService senders = Executors.newFixedThreadPool(threads);
        List<java.util.concurrent.Future<?>> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int first = t;
            running.add(senders.submit(() -> {
                long sent = 0;
                for (int n = first; !stop.get() && System.nanoTime() < end; n = (n + threads) % ids.length) {
                    if (targetPerSecond > 0) {
                        long wait = t0 + (long) (sent * 1e9 * threads / targetPerSecond) - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        }
                    }
                    float load = ThreadLocalRandom.current().nextFloat();
                    grids.get(n & 1).heartbeat(ids[n], new NodeHeartbeat(4, 0, load, 20L << 30, 30f + load));
                    done.incrementAndGet();
                    sent++;
                }
            }));
        }
        for (var r : running) {
            try {
                r.get();
            } catch (Exception e) {
                throw new IllegalStateException("heartbeat sender failed", e);
            }
        }
        senders.shutdown();
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
        return new Rate(done.get() / wall, cpu / wall);
    }

    private static long pct(long[] v, int p) {
        long[] s = v.clone();
        Arrays.sort(s);
        int i = (int) Math.ceil(p / 100.0 * s.length) - 1;
        return s[Math.max(0, Math.min(s.length - 1, i))];
    }

    private static String us(long nanos) {
        return String.format(Locale.ROOT, "%.0f µs", nanos / 1e3);
    }

    private static String loadavg() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "n/a";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
