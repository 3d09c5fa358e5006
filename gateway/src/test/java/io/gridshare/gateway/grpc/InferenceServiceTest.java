package io.gridshare.gateway.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gridshare.gateway.config.GatewaySettings;
import io.gridshare.gateway.testnode.ArithmeticTestNode;
import io.gridshare.gateway.testnode.TenantCall;
import io.gridshare.proto.v1.Amount;
import io.gridshare.proto.v1.CancelJob;
import io.gridshare.proto.v1.ChatMessage;
import io.gridshare.proto.v1.FinishReason;
import io.gridshare.proto.v1.GenerateClientMessage;
import io.gridshare.proto.v1.GenerateRequest;
import io.gridshare.proto.v1.GenerateServerMessage;
import io.gridshare.proto.v1.InferenceGrpc;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InferenceServiceTest {

    private static final int CREDIT = 8;

    private InProcessGateway gateway;
    private InferenceGrpc.InferenceStub tenant;

    @BeforeEach
    void start() throws Exception {
        gateway = new InProcessGateway(GatewaySettings.defaults().withLinkCreditTokens(CREDIT)
                .withLinkExpiry(Duration.ofMillis(100), Duration.ofMillis(800)));
        tenant = InferenceGrpc.newStub(gateway.channel);
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
    }

    private static GenerateRequest request(String prompt, int maxTokens) {
        return GenerateRequest.newBuilder().setModel(ArithmeticTestNode.MODEL_NAME).setPrompt(prompt)
                .setMaxTokens(maxTokens).setSeed(42).build();
    }

    private static List<Integer> expected(String prompt, int n) {
        return IntStream.range(0, n).mapToObj(i -> ArithmeticTestNode.expectedToken(prompt, 42, i)).toList();
    }

    @Test
    void aJobStreamsAcceptedThenEveryTokenInOrderThenCompletedWithUsage() throws Exception {
        ArithmeticTestNode node = gateway.linkedNode(7, 2, 0);

        TenantCall call = TenantCall.start(tenant, request("Once upon", 50), true);

        assertThat(call.awaitEnd().getCode()).isEqualTo(Status.Code.OK);
        GenerateServerMessage accepted = call.received.getFirst();
        assertThat(accepted.getAccepted().getNodeId()).isEqualTo(node.address());
        assertThat(accepted.getAccepted().getModelHash()).isEqualTo(ArithmeticTestNode.MODEL_HASH);
        assertThat(accepted.getAccepted().getSeed()).isEqualTo(42);
        assertThat(call.tokenIds()).isEqualTo(expected("Once upon", 50));
        assertThat(call.indicesContiguous()).isTrue();
        var completed = call.last().getCompleted();
        assertThat(completed.getFinishReason()).isEqualTo(FinishReason.FINISH_REASON_LENGTH);
        assertThat(completed.getUsage().getCompletionTokens()).isEqualTo(50);
        assertThat(completed.getReceipt().getAmount().getBaseUnits()).isEqualTo("350");
        assertThat(completed.getReceipt().getNodeIdsList()).containsExactly(node.address());
        assertThat(completed.getReceipt().getNodeSharesList()).singleElement().satisfies(share -> {
            assertThat(share.getNodeId()).isEqualTo(node.address());
            assertThat(share.getTokens()).isEqualTo(50);
        });
    }

    @Test
    void theTextOfAllTokensConcatenatesToTheNodesOutput() throws Exception {
        gateway.linkedNode(1, 1, 0);

        TenantCall call = TenantCall.start(tenant, request("p", 5), true);
        call.awaitEnd();

        String text = call.received.stream().filter(GenerateServerMessage::hasTokens)
                .map(m -> m.getTokens().getText()).reduce("", String::concat);
        assertThat(text).isEqualTo(expected("p", 5).stream().map(ArithmeticTestNode::textOf)
                .reduce("", String::concat));
    }

    @Test
    void anUnknownModelEndsTheCallWithNotFound() throws Exception {
        gateway.linkedNode(1, 1, 0);

        TenantCall call = TenantCall.start(tenant, request("x", 5).toBuilder().setModel("gpt-9").build(), true);

        Status s = call.awaitEnd();
        assertThat(s.getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(s.getDescription()).contains("gpt-9");
    }

    @Test
    void aMaximumPriceBelowEveryNodesPriceEndsTheCallWithFailedPrecondition() throws Exception {
        gateway.linkedNode(10, 1, 0);

        TenantCall call = TenantCall.start(tenant, request("x", 5).toBuilder()
                .setMaxPricePerToken(Amount.newBuilder().setBaseUnits("9")).build(), true);

        Status s = call.awaitEnd();
        assertThat(s.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(s.getDescription()).contains("cheapest asks 10");
    }

    @Test
    void whenEverySlotIsBusyTheCallEndsWithResourceExhausted() throws Exception {
        gateway.linkedNode(1, 1, 50);
        TenantCall first = TenantCall.start(tenant, request("a", 100), true);
        first.accepted.get(5, TimeUnit.SECONDS);

        TenantCall second = TenantCall.start(tenant, request("b", 5), true);

        assertThat(second.awaitEnd().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        first.cancel();
    }

    @Test
    void malformedSamplingParametersEndTheCallWithInvalidArgument() throws Exception {
        gateway.linkedNode(1, 1, 0);

        TenantCall call = TenantCall.start(tenant, request("x", 5).toBuilder().setTemperature(5f).build(), true);

        Status s = call.awaitEnd();
        assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(s.getDescription()).contains("temperature");
    }

    @Test
    void aPromptLongerThanTheLimitEndsTheCallWithInvalidArgument() throws Exception {
        gateway.linkedNode(1, 1, 0);

        TenantCall call = TenantCall.start(tenant, request("x".repeat(gateway.settings.maxPromptChars() + 1), 5), true);

        Status s = call.awaitEnd();
        assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(s.getDescription()).contains("prompt");
    }

    @Test
    void aJobWhoseNodeDiesMidStreamResumesOnAnotherNodeWithoutRepeatingOrMissingATokens() throws Exception {
        ArithmeticTestNode first = gateway.linkedNode(1, 1, 5);
        TenantCall call = TenantCall.start(tenant, request("failover", 80), true);
        await().atMost(Duration.ofSeconds(5)).until(() -> call.tokenCount() >= 10);
        ArithmeticTestNode second = gateway.linkedNode(2, 1, 0);

        first.kill();

        assertThat(call.awaitEnd().getCode()).isEqualTo(Status.Code.OK);
        assertThat(call.tokenIds()).isEqualTo(expected("failover", 80));
        assertThat(call.indicesContiguous()).isTrue();
        assertThat(second.assigns()).singleElement()
                .satisfies(a -> assertThat(a.getEmittedTokenIdsCount()).isGreaterThanOrEqualTo(10));
        var receipt = call.last().getCompleted().getReceipt();
        assertThat(receipt.getNodeIdsList()).containsExactly(first.address(), second.address());
        int resumedAt = second.assigns().getFirst().getEmittedTokenIdsCount();
        assertThat(receipt.getNodeSharesList()).as("each node's share: the tokens it produced that reached the tenant")
                .extracting(share -> share.getNodeId() + "=" + share.getTokens())
                .containsExactly(first.address() + "=" + resumedAt, second.address() + "=" + (80 - resumedAt));
    }

    private static GenerateRequest chat(int maxTokens, ChatMessage... turns) {
        return GenerateRequest.newBuilder().setModel(ArithmeticTestNode.MODEL_NAME).addAllMessages(List.of(turns))
                .setMaxTokens(maxTokens).setSeed(42).build();
    }

    private static ChatMessage turn(String role, String content) {
        return ChatMessage.newBuilder().setRole(role).setContent(content).build();
    }

    @Test
    void aChatJobReachesTheNodeAsMessagesWithAnEmptyPrompt() throws Exception {
        ArithmeticTestNode node = gateway.linkedNode(1, 1, 0);
        GenerateRequest request = chat(5, turn("system", "Be brief."), turn("user", "Hi"));

        TenantCall call = TenantCall.start(tenant, request, true);

        assertThat(call.awaitEnd().getCode()).isEqualTo(Status.Code.OK);
        assertThat(node.assigns()).singleElement().satisfies(a -> {
            assertThat(a.getPrompt()).isEmpty();
            assertThat(a.getMessagesList()).isEqualTo(request.getMessagesList());
        });
    }

    @Test
    void aChatJobWhoseNodeDiesResumesOnAnotherNodeWithTheSameMessages() throws Exception {
        ArithmeticTestNode first = gateway.linkedNode(1, 1, 5);
        GenerateRequest request = chat(80, turn("user", "Tell a story"), turn("assistant", "Once"), turn("user", "More"));
        TenantCall call = TenantCall.start(tenant, request, true);
        await().atMost(Duration.ofSeconds(5)).until(() -> call.tokenCount() >= 10);
        ArithmeticTestNode second = gateway.linkedNode(2, 1, 0);

        first.kill();

        assertThat(call.awaitEnd().getCode()).isEqualTo(Status.Code.OK);
        assertThat(second.assigns()).singleElement().satisfies(a -> {
            assertThat(a.getMessagesList()).isEqualTo(request.getMessagesList());
            assertThat(a.getEmittedTokenIdsCount()).isGreaterThanOrEqualTo(10);
        });
        String flat = ArithmeticTestNode.promptOf(second.assigns().getFirst());
        assertThat(call.tokenIds()).isEqualTo(IntStream.range(0, 80)
                .mapToObj(i -> ArithmeticTestNode.expectedToken(flat, 42, i)).toList());
    }

    @Test
    void aRequestWithBothPromptAndMessagesEndsTheCallWithInvalidArgument() throws Exception {
        gateway.linkedNode(1, 1, 0);

        TenantCall call = TenantCall.start(tenant, chat(5, turn("user", "Hi")).toBuilder().setPrompt("also").build(), true);

        Status s = call.awaitEnd();
        assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(s.getDescription()).isEqualTo("send either a prompt or chat messages, not both");
    }

    @Test
    void aChatTurnWithoutARoleEndsTheCallWithInvalidArgument() throws Exception {
        gateway.linkedNode(1, 1, 0);

        TenantCall call = TenantCall.start(tenant, chat(5, turn("user", "Hi"), turn(" ", "who?")), true);

        Status s = call.awaitEnd();
        assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(s.getDescription()).isEqualTo("messages[1].role is required (system, user or assistant)");
    }

    @Test
    void chatMessagesLongerThanThePromptLimitEndTheCallWithInvalidArgument() throws Exception {
        gateway.linkedNode(1, 1, 0);
        String half = "x".repeat(gateway.settings.maxPromptChars() / 2 + 1);

        TenantCall call = TenantCall.start(tenant, chat(5, turn("user", half), turn("assistant", half)), true);

        Status s = call.awaitEnd();
        assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(s.getDescription()).contains("characters of content");
    }

    @Test
    void aJobWhoseNodeStopsHeartbeatingResumesOnAnotherNode() throws Exception {
        ArithmeticTestNode hung = gateway.linkedNode(1, 1, 20);
        TenantCall call = TenantCall.start(tenant, request("hang", 60), true);
        await().atMost(Duration.ofSeconds(5)).until(() -> call.tokenCount() >= 3);
        gateway.linkedNode(2, 1, 0);

        hung.stopHeartbeats();

        assertThat(call.awaitEnd().getCode()).isEqualTo(Status.Code.OK);
        assertThat(call.tokenIds()).isEqualTo(expected("hang", 60));
    }

    @Test
    void aJobWhoseNodeDiesWithNoOtherNodeEndsWithUnavailable() throws Exception {
        ArithmeticTestNode only = gateway.linkedNode(1, 1, 20);
        TenantCall call = TenantCall.start(tenant, request("alone", 100), true);
        await().atMost(Duration.ofSeconds(5)).until(() -> call.tokenCount() >= 2);

        only.kill();

        Status s = call.awaitEnd();
        assertThat(s.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(s.getDescription()).contains("retry");
    }

    @Test
    void aTenantThatCancelsTheCallStopsTheNodeAndFreesTheSlot() throws Exception {
        ArithmeticTestNode node = gateway.linkedNode(1, 1, 10);
        TenantCall call = TenantCall.start(tenant, request("stop", 500), true);
        await().atMost(Duration.ofSeconds(5)).until(() -> call.tokenCount() >= 3);

        call.cancel();

        await().atMost(Duration.ofSeconds(5)).until(() -> node.cancelledJobs().size() == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> node.activeJobs() == 0);
        int produced = node.tokensProduced();
        Thread.sleep(100); // the node produces a token every 10 ms: ten would show here if it ran on
        assertThat(node.tokensProduced()).isEqualTo(produced);
        assertThat(gateway.services.placement().models().getFirst().freeSlots()).isEqualTo(1);
    }

    @Test
    void aTenantThatSendsCancelJobGetsCompletedWithFinishReasonCancelled() throws Exception {
        ArithmeticTestNode node = gateway.linkedNode(1, 1, 10);
        TenantCall call = TenantCall.start(tenant, request("stop", 500), true);
        await().atMost(Duration.ofSeconds(5)).until(() -> call.tokenCount() >= 2);

        call.send(GenerateClientMessage.newBuilder().setCancel(CancelJob.newBuilder().setReason("enough")).build());

        assertThat(call.awaitEnd().getCode()).isEqualTo(Status.Code.OK);
        assertThat(call.last().getCompleted().getFinishReason()).isEqualTo(FinishReason.FINISH_REASON_CANCELLED);
        await().atMost(Duration.ofSeconds(5)).until(() -> node.cancelledJobs().size() == 1);
    }

    @Test
    void aTenantWhoseDeadlinePassesStopsTheNode() throws Exception {
        ArithmeticTestNode node = gateway.linkedNode(1, 1, 20);

        TenantCall call = TenantCall.start(tenant.withDeadlineAfter(300, TimeUnit.MILLISECONDS), request("late", 500),
                true);

        assertThat(call.awaitEnd().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        await().atMost(Duration.ofSeconds(5)).until(() -> node.cancelledJobs().size() == 1);
    }

    @Test
    void aSlowTenantPausesTheNodeInsteadOfMakingTheGatewayBuffer() throws Exception {
        ArithmeticTestNode node = gateway.linkedNode(1, 1, 0);
        TenantCall call = TenantCall.start(tenant, request("slow", 2_000), false);
        call.accepted.get(5, TimeUnit.SECONDS);

        for (int round = 0; round < 5; round++) {
            call.read(1);
            Thread.sleep(50); // give a gateway that ignored flow control time to pull the whole job
            // the tenant's transport holds at most a few messages of up to max-tokens-per-message tokens;
            // beyond that the node may run ahead only by the link credit
            int inTransport = 2 * gateway.settings.maxTokensPerMessage();
            assertThat(node.tokensProduced()).isLessThanOrEqualTo(call.tokenCount() + CREDIT + inTransport);
            assertThat(gateway.services.jobs().runningJobs()).isEqualTo(1);
        }
        System.out.println("slow tenant: produced " + node.tokensProduced() + ", received " + call.tokenCount());
        int producedWhilePaused = node.tokensProduced();
        Thread.sleep(200);
        assertThat(node.tokensProduced()).isEqualTo(producedWhilePaused);

        call.read(10_000);
        assertThat(call.awaitEnd().getCode()).isEqualTo(Status.Code.OK);
        assertThat(call.tokenIds()).isEqualTo(expected("slow", 2_000));
    }

    @Test
    void concurrentTenantsEachGetTheirOwnCompleteStream() throws Exception {
        gateway.linkedNode(1, 4, 1);
        gateway.linkedNode(1, 4, 1);
        List<TenantCall> calls = IntStream.range(0, 8)
                .mapToObj(i -> TenantCall.start(tenant, request("tenant " + i, 40), true)).toList();

        for (int i = 0; i < calls.size(); i++) {
            assertThat(calls.get(i).awaitEnd().getCode()).isEqualTo(Status.Code.OK);
            assertThat(calls.get(i).tokenIds()).isEqualTo(expected("tenant " + i, 40));
        }
    }
}
