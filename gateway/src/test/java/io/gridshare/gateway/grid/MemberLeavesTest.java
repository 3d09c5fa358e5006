package io.gridshare.gateway.grid;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class MemberLeavesTest {

    private TestGrid cluster;
    private HazelcastAvailabilityGrid survivor;
    private HazelcastAvailabilityGrid leaving;

    @BeforeEach
    void startTwoMembers() {
        cluster = TestGrid.start(2, Duration.ofMinutes(1));
        survivor = cluster.grid(0);
        leaving = cluster.grid(1);
    }

    @AfterEach
    void stop() {
        survivor.close();
        leaving.close();
        cluster.close();
    }

    @Test
    void nodesLinkedToAMemberThatLeavesAreRemovedAndTheirJobsReportedForFailover() {
        NodeEntry orphan = TestGrid.node("0xorphan", leaving.localMember(), 10, 2);
        NodeEntry kept = TestGrid.node("0xkept", survivor.localMember(), 10, 2);
        leaving.publish(orphan);
        survivor.publish(kept);
        survivor.reserve("0xorphan", "job-on-orphan", ModelQuery.of("stories260K")).orElseThrow();
        List<NodeEntry> gone = new CopyOnWriteArrayList<>();
        survivor.addNodeGoneListener((last, reason) -> {
            if (reason == NodeGoneListener.Reason.REMOVED) {
                gone.add(last);
            }
        });

        cluster.member(1).getLifecycleService().terminate();

        await().atMost(Duration.ofSeconds(30)).until(() -> survivor.node("0xorphan").isEmpty());
        assertThat(survivor.node("0xkept")).isPresent();
        await().atMost(Duration.ofSeconds(10)).until(() -> !gone.isEmpty());
        assertThat(gone).singleElement().satisfies(n -> {
            assertThat(n.nodeId()).isEqualTo("0xorphan");
            assertThat(n.reservedJobIds()).containsExactly("job-on-orphan");
        });
    }
}
