package io.gridshare.gateway.grid;

import java.math.BigInteger;

/**
 * One model as the grid offers it now (for ListModels and GET /v1/models).
 *
 * @param model            the model: hash, name, context length and what the node reports about it
 * @param nodes            live nodes that have it loaded
 * @param freeSlots        free slots over those nodes
 * @param totalSlots       slots in total over those nodes (free or not)
 * @param minPricePerToken lowest price among nodes with a free slot (or among all, when none is free)
 */
public record ModelAvailability(NodeModel model, int nodes, int freeSlots, int totalSlots,
                                BigInteger minPricePerToken) {
}
