package io.gridshare.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.gridshare.gateway.job.NodeChannel;
import io.gridshare.gateway.testnode.ArithmeticTestNode;
import io.gridshare.proto.v1.Amount;
import io.gridshare.proto.v1.ChannelRef;
import io.gridshare.proto.v1.InferenceGrpc;
import io.gridshare.proto.v1.ListModelsRequest;
import io.gridshare.proto.v1.ModelOffer;
import io.gridshare.proto.v1.Voucher;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;

/**
 * The gateway's vouchers to a node across a real two-member Hazelcast cluster on loopback: a voucher
 * handed to member A reaches a node linked only to member B, over the node's real NodeLink stream.
 */
class NodeVoucherRelayTest {

    private List<ClusterMember> members;
    private ClusterMember a;
    private ClusterMember b;

    @BeforeEach
    void start() throws Exception {
        members = ClusterMember.startCluster(2, 8);
        a = members.get(0);
        b = members.get(1);
    }

    @AfterEach
    void stop() {
        members.forEach(ClusterMember::close);
    }

    private static Voucher voucher(long amount) {
        return Voucher.newBuilder()
                .setChannel(ChannelRef.newBuilder().setChainId(31337).setContract("0x" + "c".repeat(40))
                        .setChannelId("7"))
                .setCumulativeAmount(Amount.newBuilder().setBaseUnits(Long.toString(amount)))
                .setSignature(ByteString.copyFrom(new byte[65])).build();
    }

    private void awaitInGridOf(ClusterMember member, ArithmeticTestNode node) {
        await().atMost(Duration.ofSeconds(10)).until(() -> member.grid.node(node.address()).isPresent());
    }

    @Test
    void aVoucherHandedToOneMemberReachesTheNodeLinkedOnlyToTheOther() throws Exception {
        ArithmeticTestNode node = b.linkedNode(3, 1, 0);
        awaitInGridOf(a, node);
        assertThat(a.services.links().local(node.address())).as("not linked to A").isEmpty();

        // the grid entry and the member that holds the link spread through the cluster separately
        await().atMost(Duration.ofSeconds(10)).until(() -> a.services.nodeLinks().apply(node.address()).isPresent());
        Optional<NodeChannel> link = a.services.nodeLinks().apply(node.address());

        assertThat(link).isPresent();
        assertThat(link.get().pay(voucher(120))).as("B had the node linked and sent it on").isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> !node.payments().isEmpty());
        assertThat(node.payments()).containsExactly(voucher(120));
    }

    @Test
    void aNodeLinkedToThisMemberGetsItsVoucherOverTheLocalLink() throws Exception {
        ArithmeticTestNode node = a.linkedNode(3, 1, 0);

        Optional<NodeChannel> link = a.services.nodeLinks().apply(node.address());

        assertThat(link).containsSame(a.services.links().local(node.address()).orElseThrow());
        assertThat(link.get().pay(voucher(5))).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> node.payments().equals(List.of(voucher(5))));
    }

    @Test
    void aMemberThatLostTheNodesLinkAnswersThatTheVoucherWasNotSent() throws Exception {
        ArithmeticTestNode node = b.linkedNode(3, 1, 0);
        awaitInGridOf(a, node);
        NodeChannel viaB = a.services.nodeLinks().apply(node.address()).orElseThrow();

        node.kill();
        await().atMost(Duration.ofSeconds(10)).until(() -> b.services.links().local(node.address()).isEmpty());

        assertThat(viaB.pay(voucher(9))).isFalse();
    }

    @Test
    void aNodeLinkedNowhereHasNoLinkOnAnyMember() throws Exception {
        ArithmeticTestNode node = b.linkedNode(3, 1, 0);
        awaitInGridOf(a, node);

        node.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.grid.node(node.address()).isEmpty());

        assertThat(a.services.nodeLinks().apply(node.address())).isEmpty();
        assertThat(b.services.nodeLinks().apply(node.address())).isEmpty();
    }

    @Test
    void everyMemberHearsWhenANodeLinksToAnother() throws Exception {
        List<String> heardOnA = new CopyOnWriteArrayList<>();
        a.services.nodeLinks().onLinked(heardOnA::add);
        ECKeyPair key = Keys.createEcKeyPair();

        ArithmeticTestNode first = b.linkedNode(key, 3, 1, 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> heardOnA.contains(first.address()));
        first.kill();
        await().atMost(Duration.ofSeconds(10)).until(() -> b.services.links().local(first.address()).isEmpty());
        b.linkedNode(key, 3, 1, 0);

        await().atMost(Duration.ofSeconds(10)).until(() -> heardOnA.size() == 2);
        assertThat(heardOnA).containsOnly(first.address());
    }

    @Test
    void aNodeThatMovesToAnotherMemberGetsTheVoucherThere() throws Exception {
        ECKeyPair key = Keys.createEcKeyPair();
        ArithmeticTestNode onB = b.linkedNode(key, 3, 1, 0);
        awaitInGridOf(a, onB);
        onB.kill();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.grid.node(onB.address()).isEmpty());

        ArithmeticTestNode onA = a.linkedNode(key, 3, 1, 0);
        awaitInGridOf(b, onA);

        // B, where the node was linked, now finds its link on A
        assertThat(b.services.nodeLinks().apply(onA.address()).orElseThrow().pay(voucher(40))).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> onA.payments().equals(List.of(voucher(40))));
        assertThat(onB.payments()).isEmpty();
    }

    @Test
    void theModelListGivesTheTotalSlotsOfAllNodesOnAllMembers() throws Exception {
        ArithmeticTestNode onA = a.linkedNode(3, 2, 0);
        ArithmeticTestNode onB = b.linkedNode(4, 3, 0);
        awaitInGridOf(a, onA);
        awaitInGridOf(a, onB);

        // the model index follows the grid entries: wait until it lists both nodes
        await().atMost(Duration.ofSeconds(10)).until(() -> InferenceGrpc.newBlockingStub(a.channel)
                .listModels(ListModelsRequest.getDefaultInstance()).getModelsList().stream()
                .mapToInt(ModelOffer::getNodes).sum() == 2);
        List<ModelOffer> offers = InferenceGrpc.newBlockingStub(a.channel)
                .listModels(ListModelsRequest.getDefaultInstance()).getModelsList();

        assertThat(offers).singleElement().satisfies(m -> {
            assertThat(m.getName()).isEqualTo(ArithmeticTestNode.MODEL_NAME);
            assertThat(m.getNodes()).isEqualTo(2);
            assertThat(m.getTotalSlots()).isEqualTo(5);
            assertThat(m.getFreeSlots()).isEqualTo(5);
            // the model's details travel through the grid (Hazelcast-serialized) unchanged
            assertThat(m.getContextLength()).isEqualTo(512);
            assertThat(m.getArchitecture()).isEqualTo("qwen2");
            assertThat(m.getParameters()).isEqualTo(494_032_768L);
            assertThat(m.getQuantization()).isEqualTo("Q8_0 ×169");
            assertThat(m.getChat()).isTrue();
        });
    }
}
