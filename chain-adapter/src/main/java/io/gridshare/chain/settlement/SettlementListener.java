package io.gridshare.chain.settlement;

import java.util.List;

/** Told about every batch the settlement service redeemed. */
@FunctionalInterface
public interface SettlementListener {
    /** Called after the batch's transaction reached its confirmations. */
    void redeemed(List<Redemption> redemptions);
}
