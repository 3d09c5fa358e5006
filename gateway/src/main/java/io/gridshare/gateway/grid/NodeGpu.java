package io.gridshare.gateway.grid;

import java.util.Objects;

/**
 * One GPU of a node as published in the availability grid.
 *
 * @param ordinal          CUDA device ordinal on the node
 * @param name             device name, e.g. "NVIDIA GeForce RTX 4090"
 * @param totalMemoryBytes device memory
 * @param uuid             device UUID as the driver reports it, "" when unknown
 */
public record NodeGpu(int ordinal, String name, long totalMemoryBytes, String uuid) {
    public NodeGpu {
        Objects.requireNonNull(name, "name");
        uuid = uuid == null ? "" : uuid;
    }
}
