package io.gridshare.node.engine.cuda;

import static jcuda.driver.JCudaDriver.cuDeviceGetCount;

import io.gridshare.node.engine.BackendUnavailableException;
import io.gridshare.node.engine.EngineConfig;
import io.gridshare.node.engine.ForwardBackend;
import io.gridshare.node.engine.ForwardBackendFactory;
import io.gridshare.node.gpu.CudaDriverLibrary;
import io.gridshare.node.model.TransformerModel;

/**
 * Builds the {@link CudaBackend} on the GPU {@link EngineConfig#cudaDevice()}. Loaded reflectively
 * by {@link io.gridshare.node.engine.BackendSelector}; every reason it cannot run on this host (no
 * driver library, no device, a weight type without a CUDA kernel, weights larger than the device's
 * free memory, a device error) is a
 * {@link BackendUnavailableException} with one line saying which.
 */
public final class CudaBackendFactory implements ForwardBackendFactory {

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public ForwardBackend create(TransformerModel model, EngineConfig config) throws BackendUnavailableException {
        // a weight type without a kernel is known from the file alone: say so before touching a device
        ModelSupport.check(model);
        CudaDriverLibrary.Availability availability = CudaDriverLibrary.availability();
        if (!availability.available()) {
            throw new BackendUnavailableException(availability.reason());
        }
        int[] count = new int[1];
        try {
            cuDeviceGetCount(count);
        } catch (RuntimeException e) {
            throw new BackendUnavailableException("cuDeviceGetCount failed: " + e.getMessage(), e);
        }
        if (count[0] == 0) {
            throw new BackendUnavailableException("the CUDA driver reports no device");
        }
        if (config.cudaDevice() >= count[0]) {
            throw new BackendUnavailableException("CUDA device " + config.cudaDevice() + " asked for, but only "
                    + count[0] + " device(s) exist (ordinals 0.." + (count[0] - 1) + ")");
        }
        return CudaBackend.create(model, config);
    }
}
