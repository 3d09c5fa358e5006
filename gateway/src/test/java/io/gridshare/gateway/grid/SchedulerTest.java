package io.gridshare.gateway.grid;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchedulerTest {

    private static final ModelQuery STORIES = ModelQuery.of("stories260K");

    private static TestGrid cluster;
    private static HazelcastAvailabilityGrid grid;
    private MutableClock clock;
    private LatencyTracker latency;
    private Scheduler scheduler;

    @BeforeAll
    static void startOneMember() {
        cluster = TestGrid.start(1, Duration.ofMinutes(1));
        grid = cluster.grid(0);
    }

    @AfterAll
    static void stop() {
        grid.close();
        cluster.close();
    }

    @BeforeEach
    void fresh() {
        cluster.member(0).getMap(HazelcastMembers.NODES_MAP).clear();
        clock = new MutableClock();
        latency = new LatencyTracker();
        scheduler = new Scheduler(grid, latency, SchedulerPolicy.defaults(), clock);
    }

    private NodeEntry publish(String id, long price, int slots) {
        NodeEntry node = TestGrid.node(id, grid.localMember(), price, slots);
        grid.publish(node);
        return node;
    }

    private static String job() {
        return "job-" + UUID.randomUUID();
    }

    @Test
    void theCheapestNodeIsChosenWhenLoadAndLatencyAreEqual() throws Exception {
        publish("0xdear", 30, 4);
        publish("0xcheap", 10, 4);

        assertThat(scheduler.place(new JobRequest("t", job(), STORIES)).node().nodeId()).isEqualTo("0xcheap");
    }

    @Test
    void aBusyNodeLosesToAnIdleOneAtTheSamePrice() throws Exception {
        publish("0xbusy", 10, 4);
        publish("0xidle", 10, 4);
        grid.heartbeat("0xbusy", new NodeHeartbeat(1, 3, 0.75f, 0, 0f));

        assertThat(scheduler.place(new JobRequest("t", job(), STORIES)).node().nodeId()).isEqualTo("0xidle");
    }

    @Test
    void aNodeMeasuredSlowerLosesToAFasterOneAtTheSamePriceAndLoad() throws Exception {
        publish("0xslow", 10, 4);
        publish("0xfast", 10, 4);
        latency.record("0xslow", Duration.ofMillis(80));
        latency.record("0xfast", Duration.ofMillis(8));

        assertThat(scheduler.place(new JobRequest("t", job(), STORIES)).node().nodeId()).isEqualTo("0xfast");
    }

    @Test
    void heartbeatTokensPerSecondRankNodesNotYetMeasured() throws Exception {
        publish("0xslow", 10, 4);
        publish("0xfast", 10, 4);
        grid.heartbeat("0xslow", new NodeHeartbeat(4, 0, 0f, 0, 10f));
        grid.heartbeat("0xfast", new NodeHeartbeat(4, 0, 0f, 0, 200f));

        assertThat(scheduler.place(new JobRequest("t", job(), STORIES)).node().nodeId()).isEqualTo("0xfast");
    }

    @Test
    void aNodeAboveTheTenantsMaximumPriceIsNeverChosen() throws Exception {
        publish("0xdear", 300, 4);
        publish("0xok", 90, 1);
        ModelQuery capped = ModelQuery.of("stories260K", BigInteger.valueOf(100));

        assertThat(scheduler.place(new JobRequest("t", job(), capped)).node().nodeId()).isEqualTo("0xok");
        assertThatThrownBy(() -> scheduler.place(new JobRequest("t", job(), capped)))
                .isInstanceOfSatisfying(SchedulingException.class,
                        e -> assertThat(e.reason()).isEqualTo(SchedulingException.Reason.PRICE_TOO_LOW));
    }

    @Test
    void anUnknownModelIsReportedAsUnavailable() {
        publish("0xnode", 10, 1);

        assertThatThrownBy(() -> scheduler.place(new JobRequest("t", job(), ModelQuery.of("llama-70b"))))
                .isInstanceOfSatisfying(SchedulingException.class,
                        e -> assertThat(e.reason()).isEqualTo(SchedulingException.Reason.MODEL_UNAVAILABLE));
    }

    @Test
    void whenEveryNodeIsBusyTheJobIsRefusedAsNoFreeSlot() throws Exception {
        publish("0xnode", 10, 1);
        scheduler.place(new JobRequest("a", job(), STORIES));

        assertThatThrownBy(() -> scheduler.place(new JobRequest("b", job(), STORIES)))
                .isInstanceOfSatisfying(SchedulingException.class,
                        e -> assertThat(e.reason()).isEqualTo(SchedulingException.Reason.NO_FREE_SLOT));
    }

    @Test
    void failoverSkipsTheNodeThatFailedTheJob() throws Exception {
        publish("0xcheap", 10, 4);
        publish("0xother", 20, 4);

        Placement p = scheduler.place(new JobRequest("t", job(), STORIES, Set.of("0xCHEAP")));

        assertThat(p.node().nodeId()).isEqualTo("0xother");
    }

    @Test
    void aJobIsPlacedAgainOnlyAfterItsFailedPlacementIsHandedBack() throws Exception {
        publish("0xfirst", 10, 1);
        publish("0xsecond", 20, 1);
        String job = job();
        Placement failed = scheduler.place(new JobRequest("t", job, STORIES));

        assertThatThrownBy(() -> scheduler.place(new JobRequest("t", job, STORIES, Set.of("0xfirst"))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("finished()");
        scheduler.finished(failed);
        Placement resumed = scheduler.place(new JobRequest("t", job, STORIES, Set.of(failed.node().nodeId())));

        assertThat(resumed.node().nodeId()).isEqualTo("0xsecond");
        assertThat(grid.node("0xfirst").orElseThrow().freeSlots()).isEqualTo(1);
        assertThat(scheduler.inFlight("t")).isEqualTo(1);
    }

    @Test
    void aReservationLostToAnotherMemberMovesOnToTheNextCandidate() throws Exception {
        publish("0xcheap", 10, 1);
        publish("0xdear", 20, 1);
        // another member takes the cheap node's last slot between this member's query and its reservation
        AvailabilityGrid racing = new ForwardingGrid(grid) {
            @Override
            public Optional<SlotReservation> reserve(String nodeId, String jobId, ModelQuery query) {
                if (nodeId.equals("0xcheap")) {
                    grid.reserve(nodeId, "rival-job", query).orElseThrow();
                }
                return grid.reserve(nodeId, jobId, query);
            }
        };
        Scheduler s = new Scheduler(racing, latency, SchedulerPolicy.defaults(), clock);

        assertThat(s.place(new JobRequest("t", job(), STORIES)).node().nodeId()).isEqualTo("0xdear");
    }

    @Test
    void finishingAJobFreesItsSlotOnceEvenWhenCalledTwice() throws Exception {
        publish("0xnode", 10, 2);
        Placement p = scheduler.place(new JobRequest("t", job(), STORIES));
        scheduler.place(new JobRequest("t", job(), STORIES));

        scheduler.finished(p);
        scheduler.finished(p);

        assertThat(grid.node("0xnode").orElseThrow().freeSlots()).isEqualTo(1);
        assertThat(scheduler.inFlight("t")).isEqualTo(1);
    }

    @Test
    void aTenantAtItsFairShareCannotTakeTheLastSlotAnotherTenantIsWaitingFor() throws Exception {
        publish("0xnode", 10, 4);
        scheduler.place(new JobRequest("heavy", job(), STORIES));
        scheduler.place(new JobRequest("heavy", job(), STORIES));
        scheduler.place(new JobRequest("light", job(), STORIES));

        // one slot left; heavy runs 2 = ceil(4 / 2 tenants); light runs 1 and is still below its share
        assertThatThrownBy(() -> scheduler.place(new JobRequest("heavy", job(), STORIES)))
                .isInstanceOfSatisfying(SchedulingException.class,
                        e -> assertThat(e.reason()).isEqualTo(SchedulingException.Reason.TENANT_LIMIT));
        assertThat(scheduler.place(new JobRequest("light", job(), STORIES)).node().nodeId()).isEqualTo("0xnode");
    }

    @Test
    void aTenantAloneMayUseEverySlot() throws Exception {
        publish("0xnode", 10, 3);
        for (int i = 0; i < 3; i++) {
            scheduler.place(new JobRequest("alone", job(), STORIES));
        }
        assertThat(scheduler.inFlight("alone")).isEqualTo(3);
    }

    @Test
    void aTenantThatStoppedAskingNoLongerHoldsSlotsBack() throws Exception {
        publish("0xnode", 10, 4);
        scheduler.place(new JobRequest("heavy", job(), STORIES));
        scheduler.place(new JobRequest("heavy", job(), STORIES));
        Placement light = scheduler.place(new JobRequest("light", job(), STORIES));
        scheduler.finished(light);
        clock.advance(SchedulerPolicy.defaults().tenantActiveWindow().plusSeconds(1));

        scheduler.place(new JobRequest("heavy", job(), STORIES));
        scheduler.place(new JobRequest("heavy", job(), STORIES));

        assertThat(scheduler.inFlight("heavy")).isEqualTo(4);
    }

    @Test
    void theHardPerTenantCapRefusesBeyondIt() throws Exception {
        publish("0xnode", 10, 8);
        Scheduler capped = new Scheduler(grid, latency,
                new SchedulerPolicy(0.5, 0.25, 0.25, 2, Duration.ofSeconds(30), 8), clock);
        capped.place(new JobRequest("t", job(), STORIES));
        capped.place(new JobRequest("t", job(), STORIES));

        assertThatThrownBy(() -> capped.place(new JobRequest("t", job(), STORIES)))
                .isInstanceOfSatisfying(SchedulingException.class,
                        e -> assertThat(e.reason()).isEqualTo(SchedulingException.Reason.TENANT_LIMIT));
    }

    private static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static class ForwardingGrid implements AvailabilityGrid {
        private final AvailabilityGrid d;

        ForwardingGrid(AvailabilityGrid d) {
            this.d = d;
        }

        public UUID localMember() { return d.localMember(); }
        public Duration nodeExpiry() { return d.nodeExpiry(); }
        public void publish(NodeEntry node) { d.publish(node); }
        public boolean heartbeat(String n, NodeHeartbeat h) { return d.heartbeat(n, h); }
        public java.util.concurrent.CompletionStage<Boolean> heartbeatAsync(String n, NodeHeartbeat h) { return d.heartbeatAsync(n, h); }
        public boolean remove(String n) { return d.remove(n); }
        public Optional<NodeEntry> node(String n) { return d.node(n); }
        public List<NodeEntry> candidates(ModelQuery q) { return d.candidates(q); }
        public List<ModelAvailability> models() { return d.models(); }
        public int size() { return d.size(); }
        public Optional<SlotReservation> reserve(String n, String j, ModelQuery q) { return d.reserve(n, j, q); }
        public boolean release(SlotReservation r) { return d.release(r); }
        public UUID addNodeGoneListener(NodeGoneListener l) { return d.addNodeGoneListener(l); }
        public void removeNodeGoneListener(UUID r) { d.removeNodeGoneListener(r); }
        public void close() { }
    }
}
