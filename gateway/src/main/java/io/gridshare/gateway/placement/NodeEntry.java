package io.gridshare.gateway.placement;

import java.math.BigInteger;
import java.util.List;
import java.util.Objects;

/**
 * A linked node as the job services publish it into the availability grid.
 *
 * @param nodeId the node's key (0x address, lowercase)
 * @param ownerMember the gateway member that holds the node's link
 * @param models models the node serves
 * @param pricePerToken the node's price per token, base units
 * @param totalSlots slots in total
 * @param freeSlots slots free by the node's last report
 * @param load fraction of slots busy, 0..1
 * @param tokensPerSecond recent engine speed
 */
public record NodeEntry(String nodeId, String ownerMember, List<Model> models, BigInteger pricePerToken,
                        int totalSlots, int freeSlots, float load, float tokensPerSecond) {

    public NodeEntry {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(ownerMember, "ownerMember");
        models = List.copyOf(models);
        Objects.requireNonNull(pricePerToken, "pricePerToken");
    }

    /** One model a node serves. */
    public record Model(String name, String modelHash, int contextLength) {}

    public boolean serves(String nameOrHash) {
        return models.stream().anyMatch(m -> m.name().equals(nameOrHash) || m.modelHash().equalsIgnoreCase(nameOrHash));
    }

    public Model model(String nameOrHash) {
        return models.stream().filter(m -> m.name().equals(nameOrHash) || m.modelHash().equalsIgnoreCase(nameOrHash))
                .findFirst().orElseThrow();
    }
}
