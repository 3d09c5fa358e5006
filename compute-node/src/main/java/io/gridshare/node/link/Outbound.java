package io.gridshare.node.link;

import io.gridshare.proto.v1.NodeMessage;
import io.grpc.stub.ClientCallStreamObserver;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * The one writer of a link's request stream. gRPC stream observers are not thread-safe and must not
 * be written faster than the gateway reads, so every message goes through here and is sent only
 * while {@link ClientCallStreamObserver#isReady()}; the stream's on-ready handler calls
 * {@link #drain()} when it can take more.
 *
 * <p>While the stream is not ready, messages wait: control messages in order, only the latest
 * heartbeat, and each job's tokens (held by the job, batched into one JobTokens when sent, and
 * bounded: the job pauses when too many wait). Jobs are served round-robin, so one busy job does
 * not starve the others.
 */
final class Outbound {

    private static final System.Logger LOG = System.getLogger(Outbound.class.getName());

    private final Object lock = new Object();
    private final ClientCallStreamObserver<NodeMessage> stream;
    // guarded by lock
    private final ArrayDeque<NodeMessage> control = new ArrayDeque<>();
    private NodeMessage heartbeat;
    private final LinkedHashSet<LinkJob> jobsWithOutput = new LinkedHashSet<>();
    private boolean closed;

    Outbound(ClientCallStreamObserver<NodeMessage> stream) {
        this.stream = stream;
    }

    void send(NodeMessage message) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            control.add(message);
        }
        drain();
    }

    /** Replaces any heartbeat not yet sent: only the newest figures matter. */
    void heartbeat(NodeMessage message) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            heartbeat = message;
        }
        drain();
    }

    void jobReady(LinkJob job) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            jobsWithOutput.add(job);
        }
        drain();
    }

    /** Sends as much as the stream takes now. Called by producers and by the on-ready handler. */
    void drain() {
        synchronized (lock) {
            try {
                while (!closed && stream.isReady()) {
                    NodeMessage next = control.poll();
                    if (next == null && heartbeat != null) {
                        next = heartbeat;
                        heartbeat = null;
                    }
                    if (next != null) {
                        stream.onNext(next);
                        continue;
                    }
                    Iterator<LinkJob> it = jobsWithOutput.iterator();
                    if (!it.hasNext()) {
                        return;
                    }
                    LinkJob job = it.next();
                    it.remove();
                    for (NodeMessage m : job.takeOutput()) {
                        stream.onNext(m);
                    }
                }
            } catch (RuntimeException e) {
                // the call ended under us (cancelled or failed); the session's onError cleans up
                LOG.log(Level.DEBUG, "link stream no longer writable", e);
                closed = true;
            }
        }
    }

    /** Stops sending; what waits is dropped (the stream is gone or going). */
    void close() {
        synchronized (lock) {
            closed = true;
            control.clear();
            heartbeat = null;
            jobsWithOutput.clear();
        }
    }

    /** Ends the stream normally (node shutting down). */
    void complete() {
        synchronized (lock) {
            if (!closed) {
                closed = true;
                try {
                    stream.onCompleted();
                } catch (RuntimeException e) {
                    LOG.log(Level.DEBUG, "link stream already ended", e);
                }
            }
        }
    }
}
