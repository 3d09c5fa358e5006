package io.gridshare.gateway.cdi;

import io.gridshare.gateway.GatewayServices;
import io.gridshare.gateway.grpc.GrpcServer;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Starts the gRPC server when the CDI container is up and stops it before the container goes down,
 * so the gRPC port lives exactly as long as the Helidon application.
 */
@ApplicationScoped
public class GrpcLifecycle {

    private final GatewayServices services;
    private volatile GrpcServer server;

    @Inject
    public GrpcLifecycle(GatewayServices services) {
        this.services = services;
    }

    void start(@Observes @Priority(100) @Initialized(ApplicationScoped.class) Object event) {
        var s = services.settings();
        server = new GrpcServer(s.grpcHost(), s.grpcPort(), s.maxInboundMessageBytes(), services.grpcServices())
                .start();
    }

    void stop(@Observes @BeforeDestroyed(ApplicationScoped.class) Object event) {
        GrpcServer s = server;
        if (s != null) {
            s.close();
        }
    }

    /** The bound gRPC port (the real one when configured with 0), or -1 before start. */
    public int port() {
        GrpcServer s = server;
        return s == null ? -1 : s.port();
    }

    public boolean running() {
        return server != null;
    }
}
