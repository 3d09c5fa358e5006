package io.gridshare.chain.contracts;

/** Read-only view of node stakes; the gateway calls it to admit nodes into the availability grid. */
public interface NodeStakeView {
    /** The on-chain status of {@code nodeKey} (the address the node signs with). */
    NodeStatus status(String nodeKey);
}
