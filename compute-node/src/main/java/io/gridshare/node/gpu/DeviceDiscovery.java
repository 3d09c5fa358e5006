package io.gridshare.node.gpu;

import java.util.List;

/** Finds the GPUs of this host. Never throws for a host without a GPU or driver: returns none. */
public interface DeviceDiscovery {

    /** The GPUs found; empty when the CUDA driver library cannot be loaded or no device exists. */
    List<GpuDevice> discover();
}
