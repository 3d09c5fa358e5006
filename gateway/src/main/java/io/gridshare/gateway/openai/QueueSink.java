package io.gridshare.gateway.openai;

import io.gridshare.gateway.job.TenantSink;
import io.gridshare.proto.v1.GenerateServerMessage;
import io.grpc.Status;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A tenant sink read by an HTTP request thread. It reports itself ready only while fewer than
 * {@code window} messages wait, so a slow HTTP client pauses the job (and, through credit, its node)
 * instead of growing this queue.
 */
final class QueueSink implements TenantSink {

    /** What the reader takes: a message, or the end of the job. */
    sealed interface Item {}

    record Message(GenerateServerMessage message) implements Item {}

    record End(Status status) implements Item {}

    private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    private final int window;

    QueueSink(int window) {
        this.window = window;
    }

    @Override
    public boolean isReady() {
        return queue.size() < window;
    }

    @Override
    public void send(GenerateServerMessage message) {
        queue.add(new Message(message));
    }

    @Override
    public void complete() {
        queue.add(new End(Status.OK));
    }

    @Override
    public void fail(Status status) {
        queue.add(new End(status));
    }

    Item take(long timeoutMillis) throws InterruptedException {
        return queue.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    }
}
