package io.gridshare.client;

import io.gridshare.proto.v1.ModelOffer;
import java.math.BigInteger;

/**
 * A model the gateway cluster serves now.
 *
 * @param name model name
 * @param modelHash its sha256
 * @param freeSlots slots free now across nodes
 * @param totalSlots all slots
 * @param nodes nodes serving it
 * @param minPricePerToken lowest price per token a tenant pays now (base units)
 * @param contextLength the model's context length
 */
public record OfferedModel(String name, String modelHash, int freeSlots, int totalSlots, int nodes,
                           BigInteger minPricePerToken, int contextLength) {

    static OfferedModel fromProto(ModelOffer offer) {
        return new OfferedModel(offer.getName(), offer.getModelHash(), offer.getFreeSlots(), offer.getTotalSlots(),
                offer.getNodes(), JobReceipt.amount(offer.getMinPricePerToken().getBaseUnits()), offer.getContextLength());
    }
}
