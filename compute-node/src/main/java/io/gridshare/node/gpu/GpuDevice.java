package io.gridshare.node.gpu;

/** One GPU as discovered through the CUDA driver API; the node publishes these to gateways. */
public record GpuDevice(int ordinal, String name, long totalMemoryBytes, long freeMemoryBytes, String uuid,
                        int computeCapabilityMajor, int computeCapabilityMinor) {}
