package io.gridshare.gateway.cdi;

import com.hazelcast.core.HazelcastInstance;
import io.gridshare.gateway.GatewayServices;
import io.gridshare.gateway.link.NodeStakeCheck;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * Liveness: the gRPC server runs. Readiness: the Hazelcast cluster is safe (no partition migrating, all
 * backups in place, so reservations are exact) and the chain that holds the stakes answers.
 */
@ApplicationScoped
public class GatewayHealth {

    private final GrpcLifecycle grpc;
    private final GatewayProducers producers;
    private final NodeStakeCheck stakes;

    @Inject
    public GatewayHealth(GrpcLifecycle grpc, GatewayProducers producers, NodeStakeCheck stakes,
                         GatewayServices services) {
        this.grpc = grpc;
        this.producers = producers;
        this.stakes = stakes;
    }

    @Produces
    @Liveness
    HealthCheck grpcServer() {
        return () -> HealthCheckResponse.named("grpc").status(grpc.running()).withData("port", grpc.port()).build();
    }

    @Produces
    @Readiness
    HealthCheck clusterSafe() {
        return () -> {
            Optional<HazelcastInstance> hz = producers.hazelcast();
            boolean safe = hz.map(h -> h.getLifecycleService().isRunning()
                    && h.getPartitionService().isClusterSafe()).orElse(true);
            return HealthCheckResponse.named("grid").status(safe)
                    .withData("mode", hz.isPresent() ? "cluster" : "standalone")
                    .withData("members", hz.map(h -> (long) h.getCluster().getMembers().size()).orElse(1L)).build();
        };
    }

    @Produces
    @Readiness
    HealthCheck chainReachable() {
        return () -> HealthCheckResponse.named("chain").status(stakes.reachable()).build();
    }
}
