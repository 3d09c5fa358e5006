package io.gridshare.gateway.grid.routing;

import io.gridshare.gateway.grid.TestMembers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Two real members: a job whose node is linked to the other member is routed there and streams back. */
class JobRouterTest {

    private TestMembers cluster;
    private HazelcastJobRouter requester;
    private HazelcastJobRouter owner;
    private FakeNodeLinks ownerLinks;

    @BeforeEach
    void startTwoMembers() {
        cluster = TestMembers.start(2);
        requester = new HazelcastJobRouter(cluster.member(0));
        owner = new HazelcastJobRouter(cluster.member(1));
        ownerLinks = new FakeNodeLinks("0xlinked-to-owner");
        owner.serveAssignments(ownerLinks);
        requester.serveAssignments(new FakeNodeLinks("0xlinked-to-requester"));
    }

    @AfterEach
    void stop() {
        ownerLinks.close();
        requester.close();
        owner.close();
        cluster.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void aJobRoutedToTheOwnerMemberStreamsEveryEventBackInOrder() throws Exception {
        Collected events = new Collected();

        JobRoute route = requester.route(cluster.uuid(1), "job-1", "0xlinked-to-owner", bytes("300"), events);

        route.accepted().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(events.done.get(10, TimeUnit.SECONDS)).isEqualTo("done");
        assertThat(events.events).hasSize(300);
        for (int i = 0; i < 300; i++) {
            assertThat(events.events.get(i)).isEqualTo("token-" + i);
        }
        assertThat(ownerLinks.assigned.get("job-1").requesterMember()).isEqualTo(cluster.uuid(0));
        await().until(() -> requester.activeRoutes() == 0);
    }

    @Test
    void concurrentRoutedJobsKeepTheirOwnStreams() throws Exception {
        int jobs = 50;
        List<Collected> all = new ArrayList<>();
        for (int j = 0; j < jobs; j++) {
            Collected c = new Collected();
            all.add(c);
            requester.route(cluster.uuid(1), "job-" + j, "0xlinked-to-owner", bytes("40"), c);
        }
        for (Collected c : all) {
            assertThat(c.done.get(20, TimeUnit.SECONDS)).isEqualTo("done");
            assertThat(c.events).hasSize(40).first().isEqualTo("token-0");
            assertThat(c.events).last().isEqualTo("token-39");
        }
    }

    @Test
    void aJobForANodeLinkedHereIsHandledWithoutAHop() throws Exception {
        Collected events = new Collected();

        requester.route(cluster.uuid(0), "job-local", "0xlinked-to-requester", bytes("5"), events);

        assertThat(events.done.get(10, TimeUnit.SECONDS)).isEqualTo("done");
        assertThat(events.events).containsExactly("token-0", "token-1", "token-2", "token-3", "token-4");
    }

    @Test
    void anAssignmentTheOwnerRejectsFailsTheRouteWithTheOwnersReason() {
        Collected events = new Collected();

        JobRoute route = requester.route(cluster.uuid(1), "job-x", "0xnot-linked", bytes("5"), events);

        assertThatThrownBy(() -> route.accepted().toCompletableFuture().get(10, TimeUnit.SECONDS))
                .hasRootCauseInstanceOf(RouteRejectedException.class)
                .hasMessageContaining("node 0xnot-linked is not linked here");
        assertThat(events.failure).succeedsWithin(Duration.ofSeconds(10)).asString().contains("0xnot-linked");
    }

    @Test
    void cancellingARoutedJobStopsItOnTheOwnerMember() throws Exception {
        Collected events = new Collected();
        JobRoute route = requester.route(cluster.uuid(1), "job-long", "0xlinked-to-owner", bytes("-1"), events);
        route.accepted().toCompletableFuture().get(10, TimeUnit.SECONDS);
        await().until(() -> events.events.size() >= 3);

        route.cancel();

        await().atMost(Duration.ofSeconds(10)).until(() -> ownerLinks.cancelled.contains("job-long"));
        assertThat(events.done).isNotDone();
    }

    @Test
    void whenTheOwnerMemberLeavesItsRoutedJobsFailSoTheyCanFailOver() throws Exception {
        Collected events = new Collected();
        JobRoute route = requester.route(cluster.uuid(1), "job-orphan", "0xlinked-to-owner", bytes("-1"), events);
        route.accepted().toCompletableFuture().get(10, TimeUnit.SECONDS);

        ownerLinks.close();
        cluster.member(1).getLifecycleService().terminate();

        assertThat(events.failure).succeedsWithin(Duration.ofSeconds(30)).asString().contains("left the cluster");
    }

    @Test
    void whenTheRequestingMemberLeavesTheOwnerCancelsItsJobs() throws Exception {
        Collected events = new Collected();
        JobRoute route = requester.route(cluster.uuid(1), "job-abandoned", "0xlinked-to-owner", bytes("-1"), events);
        route.accepted().toCompletableFuture().get(10, TimeUnit.SECONDS);

        cluster.member(0).getLifecycleService().terminate();

        await().atMost(Duration.ofSeconds(30)).until(() -> ownerLinks.cancelled.contains("job-abandoned"));
    }

    /** Collects one job's events as the gateway's tenant side would. */
    static final class Collected implements JobEventListener {
        final List<String> events = new CopyOnWriteArrayList<>();
        final CompletableFuture<String> done = new CompletableFuture<>();
        final CompletableFuture<String> failure = new CompletableFuture<>();

        @Override
        public void onEvent(byte[] event) {
            events.add(text(event));
        }

        @Override
        public void onCompleted(byte[] event) {
            done.complete(text(event));
        }

        @Override
        public void onFailed(String reason) {
            failure.complete(reason);
        }
    }

    /**
     * The node links of one member: a linked node "runs" an assignment by emitting as many token events as
     * the assignment says (-1: until cancelled), one every millisecond, on its own thread as a link would.
     */
    static final class FakeNodeLinks implements AssignHandler, AutoCloseable {
        final String linkedNode;
        final Map<String, RoutedAssign> assigned = new ConcurrentHashMap<>();
        final List<String> cancelled = new CopyOnWriteArrayList<>();
        private final ExecutorService links = Executors.newCachedThreadPool();
        private final Map<String, CountDownLatch> stops = new ConcurrentHashMap<>();

        FakeNodeLinks(String linkedNode) {
            this.linkedNode = linkedNode;
        }

        @Override
        public void assign(RoutedAssign assign, JobEventSink sink) throws RouteRejectedException {
            if (!assign.nodeId().equals(linkedNode)) {
                throw new RouteRejectedException("node " + assign.nodeId() + " is not linked here");
            }
            assigned.put(assign.jobId(), assign);
            int tokens = Integer.parseInt(text(assign.assignment()));
            CountDownLatch stop = new CountDownLatch(1);
            stops.put(assign.jobId(), stop);
            links.submit(() -> {
                for (int i = 0; tokens < 0 || i < tokens; i++) {
                    if (stop.await(tokens < 0 ? 1 : 0, TimeUnit.MILLISECONDS)) {
                        return null;
                    }
                    sink.emit(bytes("token-" + i));
                }
                sink.complete(bytes("done"));
                return null;
            });
        }

        @Override
        public void cancel(String jobId) {
            cancelled.add(jobId);
            CountDownLatch stop = stops.get(jobId);
            if (stop != null) {
                stop.countDown();
            }
        }

        @Override
        public void close() {
            stops.values().forEach(CountDownLatch::countDown);
            links.shutdownNow();
        }
    }
}
