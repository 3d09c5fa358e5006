package io.gridshare.gateway.grpc;

import io.gridshare.gateway.link.LinkRegistry;
import io.gridshare.gateway.link.NodeSession;
import io.gridshare.proto.v1.GatewayMessage;
import io.gridshare.proto.v1.NodeLinkGrpc;
import io.gridshare.proto.v1.NodeMessage;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/** NodeLink.Connect: every node stream becomes a {@link NodeSession}. */
public final class NodeLinkService extends NodeLinkGrpc.NodeLinkImplBase {

    private final LinkRegistry registry;

    public NodeLinkService(LinkRegistry registry) {
        this.registry = registry;
    }

    @Override
    public StreamObserver<NodeMessage> connect(StreamObserver<GatewayMessage> responseObserver) {
        return new NodeSession((ServerCallStreamObserver<GatewayMessage>) responseObserver, registry);
    }
}
