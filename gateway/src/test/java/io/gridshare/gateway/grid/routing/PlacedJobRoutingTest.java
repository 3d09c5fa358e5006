package io.gridshare.gateway.grid.routing;

import io.gridshare.gateway.grid.HazelcastAvailabilityGrid;
import io.gridshare.gateway.grid.JobRequest;
import io.gridshare.gateway.grid.LatencyTracker;
import io.gridshare.gateway.grid.ModelQuery;
import io.gridshare.gateway.grid.NodeEntry;
import io.gridshare.gateway.grid.NodeGpu;
import io.gridshare.gateway.grid.NodeModel;
import io.gridshare.gateway.grid.Placement;
import io.gridshare.gateway.grid.Scheduler;
import io.gridshare.gateway.grid.TestMembers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The whole path on two members: place on one member, route to the member holding the node's link. */
class PlacedJobRoutingTest {

    private TestMembers cluster;
    private HazelcastAvailabilityGrid tenantSide;
    private HazelcastAvailabilityGrid nodeSide;
    private HazelcastJobRouter tenantRouter;
    private HazelcastJobRouter nodeRouter;
    private JobRouterTest.FakeNodeLinks links;

    @BeforeEach
    void start() {
        cluster = TestMembers.start(2);
        tenantSide = new HazelcastAvailabilityGrid(cluster.member(0), Duration.ofMinutes(1));
        nodeSide = new HazelcastAvailabilityGrid(cluster.member(1), Duration.ofMinutes(1));
        tenantRouter = new HazelcastJobRouter(cluster.member(0));
        nodeRouter = new HazelcastJobRouter(cluster.member(1));
        links = new JobRouterTest.FakeNodeLinks("0xnode-on-member-1");
        nodeRouter.serveAssignments(links);
    }

    @AfterEach
    void stop() {
        links.close();
        tenantRouter.close();
        nodeRouter.close();
        tenantSide.close();
        nodeSide.close();
        cluster.close();
    }

    @Test
    void aJobPlacedOnOneMemberRunsOnTheNodeLinkedToTheOtherAndFreesItsSlotWhenDone() throws Exception {
        NodeModel stories = new NodeModel("c".repeat(64), "stories260K", 512);
        nodeSide.publish(NodeEntry.registered("0xnode-on-member-1", nodeSide.localMember(), "gateway-1",
                List.of(new NodeGpu(0, "cpu", 0, "")), List.of(stories), BigInteger.TEN, 1, 1, System.currentTimeMillis()));
        Scheduler scheduler = new Scheduler(tenantSide, new LatencyTracker());

        Placement placement = scheduler.place(new JobRequest("tenant", "job-7", ModelQuery.of("stories260K")));
        JobRouterTest.Collected events = new JobRouterTest.Collected();
        tenantRouter.route(placement.reservation().ownerMember(), "job-7", placement.node().nodeId(),
                "12".getBytes(StandardCharsets.UTF_8), events);

        assertThat(placement.reservation().ownerMember()).isEqualTo(cluster.uuid(1));
        assertThat(events.done.get(10, TimeUnit.SECONDS)).isEqualTo("done");
        assertThat(events.events).hasSize(12);
        assertThat(links.assigned.get("job-7").requesterMember()).isEqualTo(cluster.uuid(0));
        assertThat(nodeSide.node("0xnode-on-member-1").orElseThrow().freeSlots()).isZero();

        scheduler.finished(placement);

        assertThat(nodeSide.node("0xnode-on-member-1").orElseThrow().freeSlots()).isEqualTo(1);
    }
}
