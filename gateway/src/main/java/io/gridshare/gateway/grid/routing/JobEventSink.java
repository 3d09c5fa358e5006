package io.gridshare.gateway.grid.routing;

/**
 * Where the member holding a node's link sends a routed job's events; they arrive, in order, at the
 * {@link JobEventListener} on the member that routed the job. Calls after the first terminal one
 * ({@link #complete} or {@link #fail}) are ignored. Calls may block briefly (one Hazelcast write).
 */
public interface JobEventSink {

    void emit(byte[] event);

    void complete(byte[] event);

    void fail(String reason);
}
