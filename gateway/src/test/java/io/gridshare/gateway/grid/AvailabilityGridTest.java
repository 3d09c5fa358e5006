package io.gridshare.gateway.grid;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class AvailabilityGridTest {

    private static TestGrid cluster;
    private static HazelcastAvailabilityGrid first;
    private static HazelcastAvailabilityGrid second;

    @BeforeAll
    static void startTwoMembers() {
        cluster = TestGrid.start(2, Duration.ofSeconds(2));
        first = cluster.grid(0);
        second = cluster.grid(1);
    }

    @AfterAll
    static void stop() {
        first.close();
        second.close();
        cluster.close();
    }

    @BeforeEach
    void emptyGrid() {
        cluster.member(0).getMap(HazelcastMembers.NODES_MAP).clear();
    }

    private static String nodeId() {
        return "0x" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    }

    @Test
    void aNodePublishedOnOneMemberIsACandidateOnTheOther() {
        NodeEntry node = TestGrid.node(nodeId(), first.localMember(), 10, 2);
        first.publish(node);

        assertThat(second.candidates(ModelQuery.of(TestGrid.STORIES_HASH))).extracting(NodeEntry::nodeId)
                .containsExactly(node.nodeId());
        assertThat(second.candidates(ModelQuery.of("stories260K"))).hasSize(1);
        assertThat(second.ownerOf(node.nodeId())).contains(first.localMember());
    }

    @Test
    void candidatesLeaveOutOtherModelsDearerNodesAndFullNodes() {
        String cheap = nodeId();
        String dear = nodeId();
        String full = nodeId();
        first.publish(TestGrid.node(cheap, first.localMember(), 10, 2));
        first.publish(TestGrid.node(dear, first.localMember(), 1000, 2));
        first.publish(NodeEntry.registered(full, first.localMember(), "g", List.of(), List.of(TestGrid.STORIES),
                BigInteger.ONE, 2, 0, System.currentTimeMillis()));

        assertThat(second.candidates(ModelQuery.of(TestGrid.STORIES_HASH, BigInteger.valueOf(100))))
                .extracting(NodeEntry::nodeId).containsExactly(cheap);
        assertThat(second.candidates(ModelQuery.of("b".repeat(64)))).isEmpty();
    }

    @Test
    void priceComparisonHoldsForUint256SizedPrices() {
        String node = nodeId();
        BigInteger huge = BigInteger.TWO.pow(200);
        first.publish(NodeEntry.registered(node, first.localMember(), "g", List.of(), List.of(TestGrid.STORIES),
                huge, 1, 1, System.currentTimeMillis()));

        assertThat(second.candidates(ModelQuery.of("stories260K", huge.subtract(BigInteger.ONE)))).isEmpty();
        assertThat(second.candidates(ModelQuery.of("stories260K", huge))).hasSize(1);
    }

    @Test
    void aNodeWithoutHeartbeatsExpiresAndListenersOnEveryMemberHear() {
        List<NodeEntry> gone = new CopyOnWriteArrayList<>();
        var registration = second.addNodeGoneListener((last, reason) -> {
            if (reason == NodeGoneListener.Reason.EXPIRED) {
                gone.add(last);
            }
        });
        try {
            String node = nodeId();
            first.publish(TestGrid.node(node, first.localMember(), 10, 1));

            await().atMost(Duration.ofSeconds(10)).until(() -> second.node(node).isEmpty());
            await().atMost(Duration.ofSeconds(10)).until(() -> !gone.isEmpty());
            assertThat(gone).extracting(NodeEntry::nodeId).containsExactly(node);
        } finally {
            second.removeNodeGoneListener(registration);
        }
    }

    @Test
    void heartbeatsKeepANodeAliveBeyondItsExpiry() {
        String node = nodeId();
        first.publish(TestGrid.node(node, first.localMember(), 10, 1));
        long until = System.currentTimeMillis() + 3 * first.nodeExpiry().toMillis();

        await().pollInterval(Duration.ofMillis(300)).atMost(Duration.ofSeconds(10)).until(() -> {
            assertThat(first.heartbeat(node, new NodeHeartbeat(1, 0, 0f, 0, 50f))).isTrue();
            return System.currentTimeMillis() > until;
        });
        assertThat(second.node(node)).get().extracting(NodeEntry::tokensPerSecond).isEqualTo(50f);
    }

    @Test
    void aHeartbeatForAnUnknownNodeAsksForAPublish() {
        assertThat(first.heartbeat(nodeId(), new NodeHeartbeat(1, 0, 0f, 0, 0f))).isFalse();
    }

    @Test
    void aReservationTakesASlotAndItsReleaseGivesItBack() {
        String node = nodeId();
        first.publish(TestGrid.node(node, first.localMember(), 10, 1));
        ModelQuery q = ModelQuery.of("stories260K");

        var reservation = second.reserve(node, "job-1", q);

        assertThat(reservation).get().satisfies(r -> {
            assertThat(r.ownerMember()).isEqualTo(first.localMember());
            assertThat(r.model()).isEqualTo(TestGrid.STORIES);
            assertThat(r.pricePerToken()).isEqualTo(BigInteger.TEN);
        });
        assertThat(second.reserve(node, "job-2", q)).isEmpty();
        assertThat(first.candidates(q)).isEmpty();
        assertThat(first.release(reservation.get())).isTrue();
        assertThat(second.reserve(node, "job-2", q)).isPresent();
    }

    @Test
    void releasingAJobTwiceFreesOneSlot() {
        String node = nodeId();
        first.publish(TestGrid.node(node, first.localMember(), 10, 2));
        ModelQuery q = ModelQuery.of("stories260K");
        var a = first.reserve(node, "job-a", q).orElseThrow();
        first.reserve(node, "job-b", q).orElseThrow();

        assertThat(second.release(a)).isTrue();
        assertThat(first.release(a)).isFalse();

        assertThat(first.node(node)).get().extracting(NodeEntry::freeSlots).isEqualTo(1);
    }

    @Test
    void reservingAgainForTheSameJobTakesNoSecondSlot() {
        String node = nodeId();
        first.publish(TestGrid.node(node, first.localMember(), 10, 2));
        ModelQuery q = ModelQuery.of("stories260K");

        first.reserve(node, "job-a", q).orElseThrow();
        second.reserve(node, "job-a", q).orElseThrow();

        assertThat(first.node(node)).get().extracting(NodeEntry::freeSlots).isEqualTo(1);
    }

    @Test
    void aHeartbeatSentBeforeTheNodeSawAReservationDoesNotFreeItsSlot() {
        String node = nodeId();
        first.publish(TestGrid.node(node, first.localMember(), 10, 2));
        first.reserve(node, "job-a", ModelQuery.of("stories260K")).orElseThrow();

        // the node has not started job-a yet: it still reports 2 free, 0 active
        first.heartbeat(node, new NodeHeartbeat(2, 0, 0f, 0, 0f));
        assertThat(first.node(node)).get().extracting(NodeEntry::freeSlots).isEqualTo(1);

        // now it has: 1 free, 1 active; the slot is counted once, not twice
        first.heartbeat(node, new NodeHeartbeat(1, 1, 0.5f, 0, 0f));
        assertThat(first.node(node)).get().extracting(NodeEntry::freeSlots).isEqualTo(1);
    }

    @Test
    void aNodeReportingWorkTheGridDoesNotKnowHasFewerFreeSlots() {
        String node = nodeId();
        first.publish(TestGrid.node(node, first.localMember(), 10, 4));

        // e.g. jobs from a gateway of another cluster
        first.heartbeat(node, new NodeHeartbeat(1, 3, 0.75f, 0, 0f));

        assertThat(second.node(node)).get().extracting(NodeEntry::freeSlots).isEqualTo(1);
    }

    @Test
    void aReservationFailsWhenTheNodeNowChargesMoreThanTheTenantsMaximum() {
        String node = nodeId();
        first.publish(TestGrid.node(node, first.localMember(), 10, 1));
        first.publish(TestGrid.node(node, first.localMember(), 500, 1)); // re-published with a new price

        assertThat(second.reserve(node, "job", ModelQuery.of("stories260K", BigInteger.valueOf(100)))).isEmpty();
    }

    @Test
    void republishingANodeKeepsItsReservations() {
        String node = nodeId();
        first.publish(TestGrid.node(node, first.localMember(), 10, 2));
        first.reserve(node, "job-a", ModelQuery.of("stories260K")).orElseThrow();

        first.publish(TestGrid.node(node, second.localMember(), 10, 2)); // reconnected to the other member

        assertThat(first.node(node)).get().satisfies(n -> {
            assertThat(n.reservedJobIds()).containsExactly("job-a");
            assertThat(n.freeSlots()).isEqualTo(1);
            assertThat(n.ownerMember()).isEqualTo(second.localMember());
        });
    }

    @Test
    void aMemberRemovesOnlyNodesWhoseLinkItHolds() {
        String node = nodeId();
        first.publish(TestGrid.node(node, first.localMember(), 10, 1));

        assertThat(second.remove(node)).isFalse();
        assertThat(first.remove(node)).isTrue();
        assertThat(second.node(node)).isEmpty();
    }

    @Test
    void modelsSumFreeSlotsAndShowTheLowestPrice() {
        first.publish(TestGrid.node(nodeId(), first.localMember(), 30, 2));
        first.publish(TestGrid.node(nodeId(), second.localMember(), 20, 3));

        assertThat(second.models()).singleElement().satisfies(m -> {
            assertThat(m.model()).isEqualTo(TestGrid.STORIES);
            assertThat(m.nodes()).isEqualTo(2);
            assertThat(m.freeSlots()).isEqualTo(5);
            assertThat(m.minPricePerToken()).isEqualTo(BigInteger.valueOf(20));
        });
    }
}
