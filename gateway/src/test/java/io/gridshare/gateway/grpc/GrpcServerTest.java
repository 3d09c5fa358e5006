package io.gridshare.gateway.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridshare.gateway.GatewayServices;
import io.gridshare.gateway.config.GatewaySettings;
import io.gridshare.gateway.job.CountingJobMeter;
import io.gridshare.gateway.link.InMemoryNodeStakeCheck;
import io.gridshare.gateway.observe.GatewayObserver;
import io.gridshare.gateway.placement.InMemoryPlacement;
import io.gridshare.gateway.testnode.TenantCall;
import io.gridshare.proto.v1.GenerateRequest;
import io.gridshare.proto.v1.InferenceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real Netty server on a loopback port: health, reflection and the inbound size limit. */
class GrpcServerTest {

    private GatewayServices services;
    private GrpcServer server;
    private ManagedChannel channel;

    @BeforeEach
    void start() {
        GatewaySettings settings = GatewaySettings.defaults();
        services = new GatewayServices(settings, new InMemoryPlacement("m"), new InMemoryNodeStakeCheck(BigInteger.ONE),
                new CountingJobMeter(), GatewayObserver.NOOP, GatewayServices.STANDALONE);
        server = new GrpcServer("127.0.0.1", 0, 64 * 1024, services.grpcServices()).start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
        services.close();
    }

    @Test
    void theServerBindsAnEphemeralPortWhenConfiguredWithZero() {
        assertThat(server.port()).isPositive();
    }

    @Test
    void healthReportsTheInferenceServiceServing() {
        HealthCheckResponse r = HealthGrpc.newBlockingStub(channel)
                .check(HealthCheckRequest.newBuilder().setService("gridshare.v1.Inference").build());
        assertThat(r.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }

    @Test
    void reflectionListsTheGatewayServices() throws Exception {
        CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> req = ServerReflectionGrpc.newStub(channel)
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse value) {
                        answer.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        answer.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        req.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        List<String> names = answer.get(5, TimeUnit.SECONDS).getListServicesResponse().getServiceList().stream()
                .map(s -> s.getName()).toList();
        req.onCompleted();
        assertThat(names).contains("gridshare.v1.Inference", "gridshare.v1.NodeLink", "grpc.health.v1.Health");
    }

    @Test
    void aRequestLargerThanTheInboundLimitIsRefusedWithResourceExhausted() throws Exception {
        TenantCall call = TenantCall.start(InferenceGrpc.newStub(channel),
                GenerateRequest.newBuilder().setModel("m").setPrompt("x".repeat(100 * 1024)).build(), true);

        Status s = call.awaitEnd();
        assertThat(s.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(s.getDescription()).contains("exceeds maximum");
    }
}
