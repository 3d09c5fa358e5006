package io.gridshare.gateway.cdi;

import static org.assertj.core.api.Assertions.assertThat;

import io.helidon.microprofile.testing.junit5.AddConfig;
import io.helidon.microprofile.testing.junit5.HelidonTest;
import jakarta.inject.Inject;
import jakarta.ws.rs.client.WebTarget;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The gateway started by CDI in cluster mode: an embedded Hazelcast member of its own on loopback. */
@HelidonTest
@AddConfig(key = "gridshare.grid.mode", value = "cluster")
@AddConfig(key = "gridshare.grid.cluster-name", value = "gateway-cdi-test")
@AddConfig(key = "gridshare.grid.bind-address", value = "127.0.0.1")
@AddConfig(key = "gridshare.grid.port", value = "5791")
@AddConfig(key = "gridshare.grid.port-auto-increment", value = "true")
@AddConfig(key = "gridshare.grid.members", value = "127.0.0.1:5791")
@AddConfig(key = "gridshare.grid.join-wait-ms", value = "0")
@AddConfig(key = "gridshare.grpc.port", value = "0")
@AddConfig(key = "gridshare.grpc.host", value = "127.0.0.1")
class ClusterModeGatewayTest {

    @Inject
    WebTarget target;
    @Inject
    GrpcLifecycle grpc;
    @Inject
    GatewayProducers producers;

    @Test
    void theGatewayJoinsItsClusterAndReportsReadyOnceTheClusterIsSafe() {
        HttpClient http = HttpClient.newHttpClient();

        assertThat(producers.hazelcast()).hasValueSatisfying(h ->
                assertThat(h.getConfig().getClusterName()).isEqualTo("gateway-cdi-test"));
        assertThat(grpc.port()).isPositive();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> http.send(
                HttpRequest.newBuilder(URI.create(target.getUri() + "/health/ready")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
    }
}
