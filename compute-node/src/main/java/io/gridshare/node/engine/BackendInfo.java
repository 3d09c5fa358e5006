package io.gridshare.node.engine;

import io.gridshare.node.gpu.GpuDevice;
import java.util.List;

/**
 * The backend an engine runs on.
 *
 * @param name "cuda" or "cpu"
 * @param devices the GPUs in use (empty for the CPU backend)
 * @param detail a human-readable line, e.g. why CUDA was not chosen
 */
public record BackendInfo(String name, List<GpuDevice> devices, String detail) {
    public BackendInfo {
        devices = List.copyOf(devices);
    }
}
