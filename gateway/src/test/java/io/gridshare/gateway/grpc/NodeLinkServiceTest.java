package io.gridshare.gateway.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gridshare.gateway.config.GatewaySettings;
import io.gridshare.gateway.testnode.ArithmeticTestNode;
import io.gridshare.proto.v1.InferenceGrpc;
import io.gridshare.proto.v1.ListModelsRequest;
import io.gridshare.proto.v1.RejectReason;
import io.grpc.Status;
import java.math.BigInteger;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NodeLinkServiceTest {

    private InProcessGateway gateway;

    @BeforeEach
    void start() throws Exception {
        gateway = new InProcessGateway(GatewaySettings.defaults()
                .withLinkExpiry(Duration.ofMillis(100), Duration.ofMillis(600)));
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
    }

    @Test
    void aStakedNodeWithAValidSignatureIsWelcomedAndItsModelIsListed() throws Exception {
        ArithmeticTestNode node = gateway.linkedNode(5, 3, 0);

        assertThat(node.verdict().getWelcome().getGatewayId()).isEqualTo(gateway.settings.gatewayId());
        var models = InferenceGrpc.newBlockingStub(gateway.channel).listModels(ListModelsRequest.getDefaultInstance());
        assertThat(models.getModelsList()).singleElement().satisfies(m -> {
            assertThat(m.getName()).isEqualTo(ArithmeticTestNode.MODEL_NAME);
            assertThat(m.getFreeSlots()).isEqualTo(3);
            assertThat(m.getMinPricePerToken().getBaseUnits()).isEqualTo("5");
            assertThat(m.getContextLength()).isEqualTo(512);
            assertThat(m.getArchitecture()).isEqualTo("qwen2");
            assertThat(m.getParameters()).isEqualTo(494_032_768L);
            assertThat(m.getQuantization()).isEqualTo("Q8_0 ×169");
            assertThat(m.getChat()).isTrue();
        });
    }

    @Test
    void aNodeWhoseSignatureDoesNotRecoverToItsKeyIsRejected() throws Exception {
        ArithmeticTestNode node = gateway.node(5, 1, 0, false, InProcessGateway.MIN_STAKE);

        assertThat(node.rejected().getReason()).isEqualTo(RejectReason.REJECT_REASON_BAD_SIGNATURE);
        assertThat(node.linkEnded().get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(gateway.services.links().linkedNodes()).isZero();
    }

    @Test
    void aNodeKeyNotInTheRegistryIsRejectedAsNotRegistered() throws Exception {
        ArithmeticTestNode node = gateway.node(5, 1, 0, true, null);

        assertThat(node.rejected().getReason()).isEqualTo(RejectReason.REJECT_REASON_NOT_REGISTERED);
        assertThat(node.rejected().getMessage()).contains("not registered");
    }

    @Test
    void aNodeKeyBelowTheMinimumStakeIsRejectedAsInsufficientStake() throws Exception {
        ArithmeticTestNode node = gateway.node(5, 1, 0, true, BigInteger.valueOf(999));

        assertThat(node.rejected().getReason()).isEqualTo(RejectReason.REJECT_REASON_INSUFFICIENT_STAKE);
        assertThat(node.rejected().getMessage()).contains("999").contains("1000");
    }

    @Test
    void aNodeThatStopsHeartbeatingLeavesTheGridAndItsLinkIsClosed() throws Exception {
        ArithmeticTestNode node = gateway.linkedNode(5, 1, 0);
        node.stopHeartbeats();

        assertThat(node.linkEnded().get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(gateway.services.placement().models()).isEmpty();
    }

    @Test
    void aNodeThatDisconnectsLeavesTheGrid() throws Exception {
        ArithmeticTestNode node = gateway.linkedNode(5, 1, 0);
        node.kill();

        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.services.placement().models().isEmpty());
        assertThat(gateway.services.links().linkedNodes()).isZero();
    }
}
