package io.gridshare.gateway.job;

import io.gridshare.proto.v1.GenerateServerMessage;
import io.grpc.Status;

/**
 * The tenant's end of a job (a gRPC call, or an SSE response). Not thread-safe: the job calls it under
 * its own lock. When it becomes ready again after {@link #isReady()} was false, its owner calls
 * {@link TenantJob#drain()}.
 */
public interface TenantSink {

    /** Whether one more message can go out without buffering beyond the transport's window. */
    boolean isReady();

    void send(GenerateServerMessage message);

    void complete();

    void fail(Status status);
}
