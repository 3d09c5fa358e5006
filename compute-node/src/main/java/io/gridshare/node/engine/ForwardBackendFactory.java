package io.gridshare.node.engine;

import io.gridshare.node.model.TransformerModel;

/**
 * Builds a {@link ForwardBackend} for one model. The CUDA backend plugs in as the class
 * {@value BackendSelector#CUDA_FACTORY_CLASS}, which must implement this interface and have a
 * public no-argument constructor; {@link BackendSelector} loads it reflectively, so the engine
 * builds and runs where that class or the CUDA libraries are missing.
 */
public interface ForwardBackendFactory {

    /** The backend's name: "cpu" or "cuda". */
    String name();

    /**
     * Prepares the backend for {@code model}: loads native libraries, opens the device, uploads
     * the weights once (in their stored type where the backend has kernels for it).
     *
     * @throws BackendUnavailableException when this host cannot run the backend (no driver, no
     *     device, a device error, a weight type the backend has no kernel for); {@link BackendSelector} then falls back to the CPU in
     *     automatic mode. Implementations may also let {@link UnsatisfiedLinkError} or
     *     {@link NoClassDefFoundError} escape; the selector treats them the same way.
     */
    ForwardBackend create(TransformerModel model, EngineConfig config) throws BackendUnavailableException;
}
