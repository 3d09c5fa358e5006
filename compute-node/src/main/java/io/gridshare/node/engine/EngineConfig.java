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
 * @param kvCacheBytes the CPU backend's KV cache pool, allocated when the model loads; 0 for the
 *     default: what the heap has free beyond the reserve, capped at what {@code slots} jobs at the
 *     whole context need (a larger setting is capped the same way)
 * @param maxQueuedJobs jobs that wait inside the engine for KV blocks or a slot before new ones are
 *     refused; 0 for the default of 4 × {@code slots}
 */
public record EngineConfig(int slots, Backend backend, int cudaDevice, int cpuThreads, long memoryReserveBytes,
                           int contextLength, long kvCacheBytes, int maxQueuedJobs) {

    /** The configuration with the default context, KV cache and queue. */
    public EngineConfig(int slots, Backend backend, int cudaDevice, int cpuThreads, long memoryReserveBytes) {
        this(slots, backend, cudaDevice, cpuThreads, memoryReserveBytes, 0);
    }

    /** The configuration with the default KV cache and queue. */
    public EngineConfig(int slots, Backend backend, int cudaDevice, int cpuThreads, long memoryReserveBytes,
                        int contextLength) {
        this(slots, backend, cudaDevice, cpuThreads, memoryReserveBytes, contextLength, 0, 0);
    }

    /** System property choosing the backend: {@code auto}, {@code cuda} or {@code cpu}. */
    public static final String BACKEND_PROPERTY = "gridshare.node.backend";
    /** Environment variable read when {@link #BACKEND_PROPERTY} is not set. */
    public static final String BACKEND_ENV = "GRIDSHARE_NODE_BACKEND";

    /** System property setting {@link #contextLength()} for GGUF models. */
    public static final String CONTEXT_PROPERTY = "gridshare.node.context";
    /** Environment variable read when {@link #CONTEXT_PROPERTY} is not set. */
    public static final String CONTEXT_ENV = "GRIDSHARE_NODE_CONTEXT";

    /** System property setting {@link #kvCacheBytes()}. */
    public static final String KV_CACHE_BYTES_PROPERTY = "gridshare.node.kv-cache-bytes";
    /** Environment variable read when {@link #KV_CACHE_BYTES_PROPERTY} is not set. */
    public static final String KV_CACHE_BYTES_ENV = "GRIDSHARE_NODE_KV_CACHE_BYTES";

    /** System property setting {@link #maxQueuedJobs()}. */
    public static final String MAX_QUEUED_PROPERTY = "gridshare.node.max-queued-jobs";
    /** Environment variable read when {@link #MAX_QUEUED_PROPERTY} is not set. */
    public static final String MAX_QUEUED_ENV = "GRIDSHARE_NODE_MAX_QUEUED_JOBS";

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
        if (kvCacheBytes < 0) {
            throw new IllegalArgumentException("kvCacheBytes must not be negative (0 = default), was " + kvCacheBytes);
        }
        if (maxQueuedJobs < 0) {
            throw new IllegalArgumentException("maxQueuedJobs must not be negative (0 = default), was " + maxQueuedJobs);
        }
        java.util.Objects.requireNonNull(backend, "backend");
    }

    /**
     * {@code slots} slots; the backend from the system property {@value #BACKEND_PROPERTY}, else
     * the environment variable {@value #BACKEND_ENV}, else {@code auto}; device 0; all
     * processors; 64 MiB kept free; the context from {@value #CONTEXT_PROPERTY}, else
     * {@value #CONTEXT_ENV}, else the default; the KV cache from {@value #KV_CACHE_BYTES_PROPERTY},
     * else {@value #KV_CACHE_BYTES_ENV}, else the default; the queue bound from
     * {@value #MAX_QUEUED_PROPERTY}, else {@value #MAX_QUEUED_ENV}, else the default.
     */
    public static EngineConfig defaults(int slots) {
        String choice = setting(BACKEND_PROPERTY, BACKEND_ENV, "auto");
        long tokens = number(CONTEXT_PROPERTY, CONTEXT_ENV, "tokens (0 = the default 4096, capped by the model's)");
        long kvBytes = number(KV_CACHE_BYTES_PROPERTY, KV_CACHE_BYTES_ENV,
                "bytes (0 = what the heap allows, capped at the slots' whole context)");
        long queued = number(MAX_QUEUED_PROPERTY, MAX_QUEUED_ENV, "jobs (0 = 4 per slot)");
        if (tokens > Integer.MAX_VALUE || queued > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(CONTEXT_PROPERTY + " " + tokens + " or " + MAX_QUEUED_PROPERTY + " "
                    + queued + " is too large");
        }
        return new EngineConfig(slots, Backend.parse(choice), 0, 0, 64L << 20, (int) tokens, kvBytes, (int) queued);
    }

    private static String setting(String property, String env, String fallback) {
        String fromEnv = System.getenv(env);
        return System.getProperty(property, fromEnv == null || fromEnv.isBlank() ? fallback : fromEnv);
    }

    private static long number(String property, String env, String unit) {
        String text = setting(property, env, "0");
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(property + " / " + env + " '" + text + "' is not a whole number of "
                    + unit, e);
        }
    }

    public EngineConfig withBackend(Backend b) {
        return new EngineConfig(slots, b, cudaDevice, cpuThreads, memoryReserveBytes, contextLength, kvCacheBytes, maxQueuedJobs);
    }

    public EngineConfig withCpuThreads(int threads) {
        return new EngineConfig(slots, backend, cudaDevice, threads, memoryReserveBytes, contextLength, kvCacheBytes, maxQueuedJobs);
    }

    public EngineConfig withMemoryReserveBytes(long bytes) {
        return new EngineConfig(slots, backend, cudaDevice, cpuThreads, bytes, contextLength, kvCacheBytes, maxQueuedJobs);
    }

    public EngineConfig withContextLength(int tokens) {
        return new EngineConfig(slots, backend, cudaDevice, cpuThreads, memoryReserveBytes, tokens, kvCacheBytes, maxQueuedJobs);
    }

    public EngineConfig withKvCacheBytes(long bytes) {
        return new EngineConfig(slots, backend, cudaDevice, cpuThreads, memoryReserveBytes, contextLength, bytes, maxQueuedJobs);
    }

    public EngineConfig withMaxQueuedJobs(int jobs) {
        return new EngineConfig(slots, backend, cudaDevice, cpuThreads, memoryReserveBytes, contextLength, kvCacheBytes, jobs);
    }

    /** {@link #maxQueuedJobs} with 0 resolved to 4 per slot. */
    public int effectiveMaxQueuedJobs() {
        return maxQueuedJobs == 0 ? 4 * slots : maxQueuedJobs;
    }

    /** {@link #cpuThreads} with 0 resolved to the processors available. */
    public int effectiveCpuThreads() {
        return cpuThreads == 0 ? Runtime.getRuntime().availableProcessors() : cpuThreads;
    }
}
