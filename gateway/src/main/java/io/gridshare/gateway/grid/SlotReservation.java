package io.gridshare.gateway.grid;

import java.math.BigInteger;
import java.util.Objects;
import java.util.UUID;

/**
 * One slot of one node held for one job. Hand it back with {@link AvailabilityGrid#release}; releasing
 * twice frees one slot.
 *
 * @param nodeId        the node key address
 * @param jobId         the job holding the slot
 * @param ownerMember   the gateway member that holds the node's link (route the job there)
 * @param pricePerToken the node's price when the slot was reserved, in base units
 * @param model         the model the job runs
 */
public record SlotReservation(String nodeId, String jobId, UUID ownerMember, BigInteger pricePerToken,
                              NodeModel model) {
    public SlotReservation {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(ownerMember, "ownerMember");
        Objects.requireNonNull(pricePerToken, "pricePerToken");
    }
}
