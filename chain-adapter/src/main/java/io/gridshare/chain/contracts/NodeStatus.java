package io.gridshare.chain.contracts;

import java.math.BigInteger;

/**
 * What a gateway needs to admit a node, read in one call.
 *
 * @param registered the key is registered
 * @param active registered and bonded stake at least the registry's minimum
 * @param bondedStake bonded GRID (base units), excluding stake that is unbonding
 * @param operator who registered the key (zero address when not registered)
 */
public record NodeStatus(boolean registered, boolean active, BigInteger bondedStake, String operator) {
}
