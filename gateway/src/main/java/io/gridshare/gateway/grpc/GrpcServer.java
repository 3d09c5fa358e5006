package io.gridshare.gateway.grpc;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's gRPC server (grpc-java on shaded Netty): Inference, NodeLink, gRPC health checking
 * and reflection, on its own port.
 */
public final class GrpcServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(GrpcServer.class.getName());

    private final Server server;
    private final HealthStatusManager health = new HealthStatusManager();

    public GrpcServer(String host, int port, int maxInboundMessageBytes, List<BindableService> services) {
        NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                .maxInboundMessageSize(maxInboundMessageBytes)
                .permitKeepAliveTime(10, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance());
        services.forEach(b::addService);
        this.server = b.build();
    }

    public GrpcServer start() {
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind the gRPC port " + server + "; set gridshare.grpc.port "
                    + "(GRIDSHARE_GRPC_PORT) to a free port", e);
        }
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus("gridshare.v1.Inference", ServingStatus.SERVING);
        health.setStatus("gridshare.v1.NodeLink", ServingStatus.SERVING);
        LOG.log(Level.INFO, "gRPC server listening on port {0}", port());
        return this;
    }

    /** The bound port (the real one when configured with 0). */
    public int port() {
        return server.getPort();
    }

    public HealthStatusManager health() {
        return health;
    }

    @Override
    public void close() {
        health.enterTerminalState();
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
