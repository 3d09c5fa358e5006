package io.gridshare.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gridshare.gateway.testnode.ArithmeticTestNode;
import io.gridshare.gateway.testnode.TenantCall;
import io.gridshare.proto.v1.GenerateRequest;
import io.gridshare.proto.v1.InferenceGrpc;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two gateway members in one real Hazelcast cluster on loopback; tenants and nodes on different members. */
class TwoMemberClusterTest {

    private static final int CREDIT = 8;

    private List<ClusterMember> members;
    private ClusterMember a;
    private ClusterMember b;

    @BeforeEach
    void start() throws Exception {
        members = ClusterMember.startCluster(2, CREDIT);
        a = members.get(0);
        b = members.get(1);
    }

    @AfterEach
    void stop() {
        members.forEach(ClusterMember::close);
    }

    /** The node's entry is in the grid as every member sees it. */
    private void awaitVisible(ArithmeticTestNode node) {
        await().atMost(Duration.ofSeconds(10)).until(() -> members.stream()
                .allMatch(m -> m.grid.candidates(io.gridshare.gateway.grid.ModelQuery.of(ArithmeticTestNode.MODEL_NAME))
                        .stream().anyMatch(e -> e.nodeId().equals(node.address()))));
    }

    private static GenerateRequest request(String prompt, int maxTokens) {
        return GenerateRequest.newBuilder().setModel(ArithmeticTestNode.MODEL_NAME).setPrompt(prompt)
                .setMaxTokens(maxTokens).setSeed(7).build();
    }

    private static List<Integer> expected(String prompt, int n) {
        return IntStream.range(0, n).mapToObj(i -> ArithmeticTestNode.expectedToken(prompt, 7, i)).toList();
    }

    @Test
    void aTenantOnOneMemberStreamsFromANodeLinkedToTheOther() throws Exception {
        ArithmeticTestNode node = b.linkedNode(3, 2, 0);
        awaitVisible(node);

        TenantCall call = TenantCall.start(InferenceGrpc.newStub(a.channel), request("routed", 60), true);

        assertThat(call.awaitEnd().getCode()).isEqualTo(Status.Code.OK);
        assertThat(call.tokenIds()).isEqualTo(expected("routed", 60));
        assertThat(call.indicesContiguous()).isTrue();
        assertThat(call.received.getFirst().getAccepted().getNodeId()).isEqualTo(node.address());
        assertThat(node.assignedJobs()).hasSize(1);
    }

    @Test
    void aSlowTenantOnOneMemberPausesANodeLinkedToTheOther() throws Exception {
        ArithmeticTestNode node = b.linkedNode(3, 1, 0);
        awaitVisible(node);
        TenantCall call = TenantCall.start(InferenceGrpc.newStub(a.channel), request("slow", 1_000), false);
        call.accepted.get(10, TimeUnit.SECONDS);

        call.read(1);
        Thread.sleep(300); // time for a gateway that ignored credit to pull the whole job across the cluster
        int inTransport = 2 * a.services.settings().maxTokensPerMessage();
        assertThat(node.tokensProduced()).isLessThanOrEqualTo(call.tokenCount() + CREDIT + inTransport);

        call.read(10_000);
        assertThat(call.awaitEnd().getCode()).isEqualTo(Status.Code.OK);
        assertThat(call.tokenIds()).isEqualTo(expected("slow", 1_000));
    }

    @Test
    void aTenantThatCancelsStopsTheNodeOnTheOtherMember() throws Exception {
        ArithmeticTestNode node = b.linkedNode(3, 1, 10);
        awaitVisible(node);
        TenantCall call = TenantCall.start(InferenceGrpc.newStub(a.channel), request("cancel", 1_000), true);
        await().atMost(Duration.ofSeconds(10)).until(() -> call.tokenCount() >= 3);

        call.cancel();

        await().atMost(Duration.ofSeconds(10)).until(() -> node.cancelledJobs().size() == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> node.activeJobs() == 0);
    }

    @Test
    void aNodeKilledMidStreamOnTheOtherMemberFailsOverWithoutGapsOrRepeats() throws Exception {
        ArithmeticTestNode first = b.linkedNode(1, 1, 5);
        awaitVisible(first);
        TenantCall call = TenantCall.start(InferenceGrpc.newStub(a.channel), request("kill", 120), true);
        await().atMost(Duration.ofSeconds(10)).until(() -> call.tokenCount() >= 10);
        ArithmeticTestNode second = a.linkedNode(2, 1, 0);

        first.kill();

        assertThat(call.awaitEnd().getCode()).isEqualTo(Status.Code.OK);
        assertThat(call.tokenIds()).isEqualTo(expected("kill", 120));
        assertThat(call.indicesContiguous()).isTrue();
        assertThat(second.assigns()).singleElement()
                .satisfies(x -> assertThat(x.getEmittedTokenIdsCount()).isGreaterThanOrEqualTo(10));
    }

    @Test
    void whenAMemberCrashesItsRoutedJobMovesToANodeOfTheSurvivorAndLocalJobsGoOn() throws Exception {
        awaitVisible(b.linkedNode(3, 1, 10));
        TenantCall routed = TenantCall.start(InferenceGrpc.newStub(a.channel), request("crash", 150), true);
        await().atMost(Duration.ofSeconds(10)).until(() -> routed.tokenCount() >= 5);
        a.linkedNode(4, 2, 2);
        TenantCall local = TenantCall.start(InferenceGrpc.newStub(a.channel), request("local", 100), true);
        await().atMost(Duration.ofSeconds(10)).until(() -> local.tokenCount() >= 1);

        b.crash();

        assertThat(routed.awaitEnd()).extracting(Status::getCode).isEqualTo(Status.Code.OK);
        assertThat(routed.tokenIds()).isEqualTo(expected("crash", 150));
        assertThat(local.awaitEnd().getCode()).isEqualTo(Status.Code.OK);
        assertThat(local.tokenIds()).isEqualTo(expected("local", 100));
    }
}
