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
        java.util.logging.Logger hazelcastLog = java.util.logging.Logger.getLogger("com.hazelcast");
        hazelcastLog.setLevel(java.util.logging.Level.WARNING);
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

            // 1. the most heartbeats per second
            Rate max = heartbeats(grids, ids, Duration.ofSeconds(seconds), 0);
            System.out.printf(Locale.ROOT, "heartbeat max: %.0f heartbeats/s, process CPU %.2f cores (%.0f%% of %d)%n",
                    max.perSecond, max.cores, 100 * max.cores / Runtime.getRuntime().availableProcessors(),
                    Runtime.getRuntime().availableProcessors());

            // 2. the nominal rate, in the background while latencies are measured
            double nominal = nodes * 1000.0 / heartbeatIntervalMs;
            AtomicBoolean stop = new AtomicBoolean();
            // own threads throughout: on 2 cores the common pool has one worker (or none) and would
            // serialize (or starve) the benchmark's own callbacks
            ExecutorService driver = Executors.newSingleThreadExecutor();
            CompletableFuture<Rate> background = CompletableFuture.supplyAsync(
                    () -> heartbeats(grids, ids, Duration.ofDays(1), nominal, stop), driver);

            // 3. reservation latency: reserve + release on a random node, from alternating members
            long[] reserve = new long[samples];
            long[] release = new long[samples];
            ModelQuery any = ModelQuery.of("model-0");
            for (int i = 0; i < samples + 500; i++) { // first 500: warm-up
                HazelcastAvailabilityGrid g = grids.get(i & 1);
                String id = ids[ThreadLocalRandom.current().nextInt(ids.length)];
                NodeModel model = model(id);
                ModelQuery q = ModelQuery.of(model.hash());
                long t0 = System.nanoTime();
                SlotReservation r = g.reserve(id, "job-" + i, q).orElse(null);
                long t1 = System.nanoTime();
                if (r != null) {
                    g.release(r);
                }
                long t2 = System.nanoTime();
                if (i >= 500) {
                    reserve[i - 500] = t1 - t0;
                    release[i - 500] = t2 - t1;
                }
            }
            // scheduler placement: query candidates of one model (~nodes/models*1.5 entries), rank, reserve
            Scheduler scheduler = new Scheduler(g0, new LatencyTracker());
            int placeSamples = Math.max(100, samples / 10);
            long[] place = new long[placeSamples];
            int candidates = g0.candidates(any).size();
            for (int i = 0; i < placeSamples + 50; i++) {
                String model = "model-" + ThreadLocalRandom.current().nextInt(models);
                long t0 = System.nanoTime();
                Placement p = scheduler.place(new JobRequest("tenant-" + (i % 7), "place-" + i, ModelQuery.of(model)));
                long t1 = System.nanoTime();
                scheduler.finished(p);
                if (i >= 50) {
                    place[i - 50] = t1 - t0;
                }
            }
            stop.set(true);
            Rate nominalRate = background.join();
            driver.shutdown();
            System.out.printf(Locale.ROOT, "heartbeat nominal: target %.0f/s, achieved %.0f heartbeats/s, process CPU %.2f cores "
                    + "(includes the latency probes below)%n", nominal, nominalRate.perSecond, nominalRate.cores);
            System.out.printf(Locale.ROOT, "reserve latency (n=%d): p50 %s p99 %s max %s%n", samples,
                    us(pct(reserve, 50)), us(pct(reserve, 99)), us(pct(reserve, 100)));
            System.out.printf(Locale.ROOT, "release latency (n=%d): p50 %s p99 %s%n", samples, us(pct(release, 50)),
                    us(pct(release, 99)));
            System.out.printf(Locale.ROOT, "scheduler place latency (n=%d, ~%d candidates per model): p50 %s p99 %s%n",
                    placeSamples, candidates, us(pct(place, 50)), us(pct(place, 99)));
            System.out.printf(Locale.ROOT, "loadavg-after=%s%n", loadavg());
            g0.close();
            g1.close();
        } finally {
            m1.getLifecycleService().terminate();
            m0.getLifecycleService().terminate();
        }
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

    /** Heartbeats from both members; targetPerSecond 0 = as fast as 256 in flight allow. */
    private Rate heartbeats(List<HazelcastAvailabilityGrid> grids, String[] ids, Duration duration, double targetPerSecond,
                            AtomicBoolean stop) {
        Semaphore inFlight = new Semaphore(256);
        AtomicLong done = new AtomicLong();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        long end = t0 + duration.toNanos();
        long sent = 0;
        while (!stop.get() && System.nanoTime() < end) {
            if (targetPerSecond > 0) {
                long due = t0 + (long) (sent * 1e9 / targetPerSecond);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
            int n = (int) (sent % ids.length);
            float load = ThreadLocalRandom.current().nextFloat();
            inFlight.acquireUninterruptibly();
            grids.get(n & 1).heartbeatAsync(ids[n], new NodeHeartbeat(4, 0, load, 20L << 30, 30f + load))
                    // run the callback on the thread that completes the future (a Hazelcast response thread)
                    .whenCompleteAsync((ok, err) -> {
                        inFlight.release();
                        done.incrementAndGet();
                    }, Runnable::run);
            sent++;
        }
        inFlight.acquireUninterruptibly(256);
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
