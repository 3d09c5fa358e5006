package io.gridshare.gateway.observe;

import java.time.Duration;

/**
 * What the job and link services report as they work; the metrics bean implements it. Calls are
 * cheap and never block.
 */
public interface GatewayObserver {

    GatewayObserver NOOP = new GatewayObserver() {};

    /** A tenant request arrived on {@code api} ("grpc", "openai"). */
    default void requestReceived(String api) {}

    /** A tenant request was refused before it ran; {@code code} is the gRPC status code name. */
    default void requestRejected(String code) {}

    default void streamOpened() {}

    default void streamClosed() {}

    default void firstToken(Duration sinceRequest) {}

    /** Time between two tokens reaching the tenant. */
    default void interToken(Duration gap) {}

    default void tokensStreamed(int tokens) {}

    default void failover() {}

    default void nodeLinked() {}

    default void nodeUnlinked() {}

    /** A node's Hello was refused; {@code reason} is the RejectReason name. */
    default void nodeRejected(String reason) {}
}
