package io.gridshare.gateway.grid;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Two members, hundreds of parallel reservations against a few slots: never more granted than free. */
class ReservationConcurrencyTest {

    private static final int NODES = 3;
    private static final int SLOTS_PER_NODE = 2;
    private static final int CAPACITY = NODES * SLOTS_PER_NODE;
    private static final ModelQuery STORIES = ModelQuery.of("stories260K");

    private static TestGrid cluster;
    private static List<HazelcastAvailabilityGrid> grids;
    private List<String> nodes;

    @BeforeAll
    static void startTwoMembers() {
        cluster = TestGrid.start(2, Duration.ofMinutes(1));
        grids = List.of(cluster.grid(0), cluster.grid(1));
    }

    @AfterAll
    static void stop() {
        grids.forEach(HazelcastAvailabilityGrid::close);
        cluster.close();
    }

    @BeforeEach
    void publishNodes() {
        cluster.member(0).getMap(HazelcastMembers.NODES_MAP).clear();
        nodes = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            HazelcastAvailabilityGrid owner = grids.get(i % 2);
            NodeEntry node = TestGrid.node("0xnode" + i, owner.localMember(), 10 + i, SLOTS_PER_NODE);
            owner.publish(node);
            nodes.add(node.nodeId());
        }
    }

    @Test
    void fourHundredParallelReservationsFromTwoMembersGetExactlyTheSixFreeSlots() throws Exception {
        int attempts = 400;
        ExecutorService pool = Executors.newFixedThreadPool(32);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Optional<SlotReservation>>> results = new ArrayList<>();
        try {
            for (int i = 0; i < attempts; i++) {
                HazelcastAvailabilityGrid grid = grids.get(i % 2);
                String node = nodes.get(i % NODES);
                String job = "job-" + i;
                results.add(pool.submit(() -> {
                    start.await();
                    return grid.reserve(node, job, STORIES);
                }));
            }
            start.countDown();
            List<SlotReservation> granted = new ArrayList<>();
            for (var f : results) {
                f.get().ifPresent(granted::add);
            }

            assertThat(granted).hasSize(CAPACITY);
            assertThat(granted.stream().collect(Collectors.groupingBy(SlotReservation::nodeId, Collectors.counting())))
                    .containsOnlyKeys(nodes).allSatisfy((node, n) -> assertThat(n).isEqualTo((long) SLOTS_PER_NODE));
            Set<String> reservedInGrid = nodes.stream()
                    .flatMap(n -> grids.get(1).node(n).orElseThrow().reservedJobIds().stream())
                    .collect(Collectors.toSet());
            assertThat(reservedInGrid).isEqualTo(granted.stream().map(SlotReservation::jobId).collect(Collectors.toSet()));
            assertThat(nodes).allSatisfy(n -> assertThat(grids.get(0).node(n).orElseThrow().freeSlots()).isZero());

            // each reservation released twice, from both members at once: every slot returns exactly once
            List<Future<Boolean>> releases = new ArrayList<>();
            for (SlotReservation r : granted) {
                releases.add(pool.submit(() -> grids.get(0).release(r)));
                releases.add(pool.submit(() -> grids.get(1).release(r)));
            }
            int freed = 0;
            for (var f : releases) {
                freed += f.get() ? 1 : 0;
            }
            assertThat(freed).isEqualTo(CAPACITY);
            assertThat(nodes).allSatisfy(n -> {
                NodeEntry e = grids.get(0).node(n).orElseThrow();
                assertThat(e.freeSlots()).isEqualTo(SLOTS_PER_NODE);
                assertThat(e.reservedJobIds()).isEmpty();
            });
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void underReserveAndReleaseChurnTheHoldersNeverExceedTheCapacityAndAllSlotsReturn() throws Exception {
        int threads = 16;
        int rounds = 60;
        AtomicInteger holders = new AtomicInteger();
        AtomicInteger maxHolders = new AtomicInteger();
        AtomicInteger grants = new AtomicInteger();
        Set<String> overbooked = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> workers = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                int worker = t;
                workers.add(pool.submit(() -> {
                    start.await();
                    for (int r = 0; r < rounds; r++) {
                        HazelcastAvailabilityGrid grid = grids.get((worker + r) % 2);
                        String node = nodes.get(ThreadLocalRandom.current().nextInt(NODES));
                        Optional<SlotReservation> got = grid.reserve(node, "churn-" + worker + "-" + r, STORIES);
                        if (got.isPresent()) {
                            grants.incrementAndGet();
                            int now = holders.incrementAndGet();
                            maxHolders.accumulateAndGet(now, Math::max);
                            if (now > CAPACITY) {
                                overbooked.add(got.get().jobId());
                            }
                            holders.decrementAndGet();
                            grids.get((worker + r + 1) % 2).release(got.get());
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (var w : workers) {
                w.get();
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(overbooked).isEmpty();
        assertThat(maxHolders.get()).isBetween(1, CAPACITY);
        assertThat(grants.get()).isGreaterThan(CAPACITY);
        assertThat(nodes).allSatisfy(n -> assertThat(grids.get(1).node(n).orElseThrow().freeSlots()).isEqualTo(SLOTS_PER_NODE));
    }
}
