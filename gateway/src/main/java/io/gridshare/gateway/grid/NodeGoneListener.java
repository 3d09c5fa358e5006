package io.gridshare.gateway.grid;

/**
 * Told on every gateway member when a node leaves the availability grid, so that each member can fail
 * over the jobs its tenants have on that node.
 */
@FunctionalInterface
public interface NodeGoneListener {

    /** Why a node left the grid. */
    enum Reason {
        /** No heartbeat within the node expiry: the node is silent. */
        EXPIRED,
        /** Removed: its link closed, or the gateway member holding its link left the cluster. */
        REMOVED
    }

    /**
     * @param last   the node's last entry (its reserved job ids are the jobs to fail over)
     * @param reason why it left
     */
    void nodeGone(NodeEntry last, Reason reason);
}
