package io.gridshare.gateway.link;

/**
 * Decides whether a node key may join: registered in NodeRegistry with at least the minimum stake.
 * Implementations may block (a chain call); the gateway calls them off the gRPC threads.
 */
public interface NodeStakeCheck {

    /**
     * @param nodeKey the node's 0x address, as recovered from its signature (lowercase)
     * @return the verdict; never null
     * @throws StakeCheckUnavailableException when the stake cannot be read now (chain unreachable)
     */
    StakeVerdict check(String nodeKey);

    /** Whether the source of stakes answers now (for readiness). */
    default boolean reachable() {
        return true;
    }
}
