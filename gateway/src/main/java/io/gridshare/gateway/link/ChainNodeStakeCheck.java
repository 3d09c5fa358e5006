package io.gridshare.gateway.link;

import io.gridshare.chain.ChainConnection;
import io.gridshare.chain.ChainException;
import io.gridshare.chain.contracts.NodeRegistryClient;
import io.gridshare.chain.contracts.NodeStatus;
import java.math.BigInteger;
import java.util.Objects;

/**
 * Admits a node key only if NodeRegistry on the configured chain says it is registered and active
 * (bonded stake at least the registry's own immutable minimum). Read once per handshake: a node that
 * starts unbonding below the minimum is refused at its next reconnect ({@code gridshare.stake.source=chain}).
 */
public final class ChainNodeStakeCheck implements NodeStakeCheck {

    private final NodeRegistryClient registry;
    private final ChainConnection chain;
    private volatile BigInteger minimum;

    public ChainNodeStakeCheck(NodeRegistryClient registry, ChainConnection chain) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.chain = Objects.requireNonNull(chain, "chain");
    }

    @Override
    public StakeVerdict check(String nodeKey) {
        try {
            BigInteger min = minimum();
            NodeStatus status = registry.status(nodeKey);
            if (!status.registered()) {
                return new StakeVerdict(StakeVerdict.Outcome.NOT_REGISTERED, BigInteger.ZERO, min);
            }
            if (!status.active()) {
                return new StakeVerdict(StakeVerdict.Outcome.INSUFFICIENT_STAKE, status.bondedStake(), min);
            }
            return new StakeVerdict(StakeVerdict.Outcome.ADMITTED, status.bondedStake(), min);
        } catch (ChainException e) {
            throw new StakeCheckUnavailableException("cannot read the stake of " + nodeKey + " from NodeRegistry "
                    + registry.address() + " at " + chain.rpcUrl() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean reachable() {
        try {
            chain.blockNumber();
            return true;
        } catch (ChainException e) {
            return false;
        }
    }

    // the minimum is an immutable of the registry: read it once, lazily, so a gateway can start while
    // the chain is briefly down
    private BigInteger minimum() {
        BigInteger m = minimum;
        if (m == null) {
            m = registry.minStake();
            minimum = m;
        }
        return m;
    }
}
