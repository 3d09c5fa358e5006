package io.gridshare.node.link;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's slots, shared by every gateway link: a job from any gateway takes one, so two
 * gateways never overcommit the node between them.
 */
public final class SlotPool {

    private final int total;
    private final AtomicInteger used = new AtomicInteger();

    public SlotPool(int total) {
        if (total < 1) {
            throw new IllegalArgumentException("a node needs at least one slot, got " + total);
        }
        this.total = total;
    }

    /** Takes a slot if one is free. */
    public boolean tryAcquire() {
        while (true) {
            int u = used.get();
            if (u >= total) {
                return false;
            }
            if (used.compareAndSet(u, u + 1)) {
                return true;
            }
        }
    }

    public void release() {
        if (used.decrementAndGet() < 0) {
            used.incrementAndGet();
            throw new IllegalStateException("slot released twice");
        }
    }

    public int total() {
        return total;
    }

    public int free() {
        return total - used.get();
    }

    public int used() {
        return used.get();
    }
}
