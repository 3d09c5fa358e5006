package io.gridshare.gateway.placement;

import io.gridshare.proto.v1.Gpu;
import java.math.BigInteger;
import java.util.List;
import java.util.Objects;

/**
 * A node linked to this gateway member, as its Hello described it.
 *
 * @param nodeId the node's key (0x address, lowercase)
 * @param ownerMember the gateway member that holds the node's link
 * @param gpus the node's GPUs
 * @param models models the node serves
 * @param pricePerToken the node's price per token, base units
 * @param totalSlots slots in total
 * @param freeSlots slots free by the node's report
 */
public record LinkedNode(String nodeId, String ownerMember, List<Gpu> gpus, List<Model> models,
                         BigInteger pricePerToken, int totalSlots, int freeSlots) {

    public LinkedNode {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(ownerMember, "ownerMember");
        gpus = List.copyOf(gpus);
        models = List.copyOf(models);
        Objects.requireNonNull(pricePerToken, "pricePerToken");
    }

    /**
     * One model a node serves, as the node's Hello described it.
     *
     * @param architecture e.g. "llama", "qwen2"
     * @param parameters number of weights
     * @param quantization stored types of the weight matrices, e.g. "Q4_K ×96, Q6_K ×17"
     * @param chat whether the model renders chat requests with its own template
     */
    public record Model(String name, String modelHash, int contextLength, String architecture, long parameters,
                        String quantization, boolean chat) {}

    boolean serves(String nameOrHash) {
        return models.stream().anyMatch(m -> m.name().equals(nameOrHash) || m.modelHash().equalsIgnoreCase(nameOrHash));
    }

    Model model(String nameOrHash) {
        return models.stream().filter(m -> m.name().equals(nameOrHash) || m.modelHash().equalsIgnoreCase(nameOrHash))
                .findFirst().orElseThrow();
    }
}
