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
 * @param architecture the model's architecture, e.g. "llama", "qwen2"
 * @param parameters number of weights
 * @param quantization stored types of the weight matrices, e.g. "Q4_K ×96, Q6_K ×17"
 * @param chat whether the model renders chat requests with its own template (else: completions only)
 */
public record OfferedModel(String name, String modelHash, int freeSlots, int totalSlots, int nodes,
                           BigInteger minPricePerToken, int contextLength, String architecture, long parameters,
                           String quantization, boolean chat) {

    static OfferedModel fromProto(ModelOffer offer) {
        return new OfferedModel(offer.getName(), offer.getModelHash(), offer.getFreeSlots(), offer.getTotalSlots(),
                offer.getNodes(), JobReceipt.amount(offer.getMinPricePerToken().getBaseUnits()), offer.getContextLength(),
                offer.getArchitecture(), offer.getParameters(), offer.getQuantization(), offer.getChat());
    }
}
