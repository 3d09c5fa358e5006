package io.gridshare.node.engine;

import java.util.Locale;

/**
 * How an engine is set up.
 *
 * @param slots the most jobs that run at once (each gets its own KV cache when it starts)
 * @param backend which backend runs the forward pass
 * @param cudaDevice the GPU ordinal the CUDA backend uses
 * @param cpuThreads threads the CPU backend may use inside one forward pass for large
 *     matrix-vector products (small models run single-threaded: splitting them costs more than it
 *     saves); 0 means the number of available processors
 * @param memoryReserveBytes memory kept free of slots (CPU backend: of the heap; CUDA: of the
 *     device) for everything else the process does
 * @param contextLength the context (prompt plus output tokens) each slot's KV cache holds for GGUF
 *     models, capped by the model's own; 0 for the default of 4096 (llama2.c checkpoints always use
 *     their header's seq_len)
 */
public record EngineConfig(int slots, Backend backend, int cudaDevice, int cpuThreads, long memoryReserveBytes,
                           int contextLength) {

    /** The configuration with the default context. */
    public EngineConfig(int slots, Backend backend, int cudaDevice, int cpuThreads, long memoryReserveBytes) {
        this(slots, backend, cudaDevice, cpuThreads, memoryReserveBytes, 0);
    }

    /** System property choosing the backend: {@code auto}, {@code cuda} or {@code cpu}. */
    public static final String BACKEND_PROPERTY = "gridshare.node.backend";
    /** Environment variable read when {@link #BACKEND_PROPERTY} is not set. */
    public static final String BACKEND_ENV = "GRIDSHARE_NODE_BACKEND";

    /** System property setting {@link #contextLength()} for GGUF models. */
    public static final String CONTEXT_PROPERTY = "gridshare.node.context";
    /** Environment variable read when {@link #CONTEXT_PROPERTY} is not set. */
    public static final String CONTEXT_ENV = "GRIDSHARE_NODE_CONTEXT";

    /** The backend choice. */
    public enum Backend {
        /** CUDA when the driver library loads and a device exists, else the CPU. */
        AUTO,
        /** CUDA or fail. */
        CUDA,
        /** The Vector API CPU backend. */
        CPU;

        /** Parses {@code auto|cuda|cpu} (case-insensitive). */
        public static Backend parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown backend '" + text + "' in " + BACKEND_PROPERTY
                        + "; use auto, cuda or cpu", e);
            }
        }
    }

    public EngineConfig {
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be at least 1, was " + slots);
        }
        if (cudaDevice < 0) {
            throw new IllegalArgumentException("cudaDevice must not be negative, was " + cudaDevice);
        }
        if (cpuThreads < 0) {
            throw new IllegalArgumentException("cpuThreads must not be negative, was " + cpuThreads);
        }
        if (memoryReserveBytes < 0) {
            throw new IllegalArgumentException("memoryReserveBytes must not be negative, was " + memoryReserveBytes);
        }
        if (contextLength < 0) {
            throw new IllegalArgumentException("contextLength must not be negative (0 = default), was " + contextLength);
        }
        java.util.Objects.requireNonNull(backend, "backend");
    }

    /**
     * {@code slots} slots; the backend from the system property {@value #BACKEND_PROPERTY}, else
     * the environment variable {@value #BACKEND_ENV}, else {@code auto}; device 0; all
     * processors; 64 MiB kept free; the context from {@value #CONTEXT_PROPERTY}, else
     * {@value #CONTEXT_ENV}, else the default.
     */
    public static EngineConfig defaults(int slots) {
        String env = System.getenv(BACKEND_ENV);
        String choice = System.getProperty(BACKEND_PROPERTY, env == null || env.isBlank() ? "auto" : env);
        String contextEnv = System.getenv(CONTEXT_ENV);
        String context = System.getProperty(CONTEXT_PROPERTY, contextEnv == null || contextEnv.isBlank() ? "0" : contextEnv);
        int tokens;
        try {
            tokens = Integer.parseInt(context.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(CONTEXT_PROPERTY + " / " + CONTEXT_ENV + " '" + context
                    + "' is not a whole number of tokens (0 = the default 4096, capped by the model's)", e);
        }
        return new EngineConfig(slots, Backend.parse(choice), 0, 0, 64L << 20, tokens);
    }

    public EngineConfig withBackend(Backend b) {
        return new EngineConfig(slots, b, cudaDevice, cpuThreads, memoryReserveBytes, contextLength);
    }

    public EngineConfig withCpuThreads(int threads) {
        return new EngineConfig(slots, backend, cudaDevice, threads, memoryReserveBytes, contextLength);
    }

    public EngineConfig withMemoryReserveBytes(long bytes) {
        return new EngineConfig(slots, backend, cudaDevice, cpuThreads, bytes, contextLength);
    }

    public EngineConfig withContextLength(int tokens) {
        return new EngineConfig(slots, backend, cudaDevice, cpuThreads, memoryReserveBytes, tokens);
    }

    /** {@link #cpuThreads} with 0 resolved to the processors available. */
    public int effectiveCpuThreads() {
        return cpuThreads == 0 ? Runtime.getRuntime().availableProcessors() : cpuThreads;
    }
}
