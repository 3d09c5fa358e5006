package io.gridshare.node.engine;

import io.gridshare.node.engine.cpu.CpuBackend;
import io.gridshare.node.model.CheckpointAsModel;
import io.gridshare.node.model.LlamaCheckpoint;
import java.lang.reflect.InvocationTargetException;

/**
 * Chooses the backend once, when a model is loaded: CUDA when its factory class is present, the
 * driver library loads and a device exists; otherwise the CPU, with one log line saying why.
 * {@link EngineConfig#backend()} overrides the choice ({@code cuda} fails instead of falling
 * back).
 */
public final class BackendSelector {

    /** The CUDA backend's factory; loaded reflectively so the engine runs without it. */
    public static final String CUDA_FACTORY_CLASS = "io.gridshare.node.engine.cuda.CudaBackendFactory";

    private static final System.Logger LOG = System.getLogger(BackendSelector.class.getName());

    private final String cudaFactoryClass;

    public BackendSelector() {
        this(CUDA_FACTORY_CLASS);
    }

    /** For tests: a different class name stands in for the CUDA factory. */
    BackendSelector(String cudaFactoryClass) {
        this.cudaFactoryClass = cudaFactoryClass;
    }

    /**
     * Builds the backend {@code config} asks for.
     *
     * @throws BackendUnavailableException only when CUDA was demanded explicitly and cannot run
     */
    public ForwardBackend select(LlamaCheckpoint checkpoint, EngineConfig config) throws BackendUnavailableException {
        if (config.backend() == EngineConfig.Backend.CPU) {
            return new CpuBackend(checkpoint, config, "CPU backend chosen by " + EngineConfig.BACKEND_PROPERTY + "=cpu");
        }
        try {
            ForwardBackend cuda = cudaFactory().create(CheckpointAsModel.of(checkpoint), config);
            LOG.log(System.Logger.Level.INFO, "backend: cuda ({0})", cuda.info().detail());
            return cuda;
        } catch (BackendUnavailableException | RuntimeException | LinkageError e) {
            String reason = reason(e);
            if (config.backend() == EngineConfig.Backend.CUDA) {
                throw e instanceof BackendUnavailableException bue ? bue
                        : new BackendUnavailableException("CUDA backend demanded by " + EngineConfig.BACKEND_PROPERTY
                                + "=cuda cannot run: " + reason, e);
            }
            LOG.log(System.Logger.Level.INFO, "backend: cpu (CUDA not used: {0})", reason);
            return new CpuBackend(checkpoint, config, "CUDA not used: " + reason);
        }
    }

    private ForwardBackendFactory cudaFactory() throws BackendUnavailableException {
        Class<?> type;
        try {
            type = Class.forName(cudaFactoryClass);
        } catch (ClassNotFoundException e) {
            throw new BackendUnavailableException("the CUDA backend is not built into this node (" + cudaFactoryClass
                    + " missing)", e);
        }
        if (!ForwardBackendFactory.class.isAssignableFrom(type)) {
            throw new BackendUnavailableException(cudaFactoryClass + " does not implement "
                    + ForwardBackendFactory.class.getName());
        }
        try {
            return (ForwardBackendFactory) type.getConstructor().newInstance();
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof LinkageError le) {
                throw le;
            }
            throw new BackendUnavailableException("cannot start " + cudaFactoryClass + ": " + reason(cause), cause);
        } catch (ReflectiveOperationException e) {
            throw new BackendUnavailableException("cannot instantiate " + cudaFactoryClass + ": " + e, e);
        }
    }

    private static String reason(Throwable e) {
        if (e instanceof UnsatisfiedLinkError) {
            return "CUDA driver library not loadable (" + e.getMessage() + ")";
        }
        if (e instanceof NoClassDefFoundError) {
            return "JCuda classes missing (" + e.getMessage() + ")";
        }
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
