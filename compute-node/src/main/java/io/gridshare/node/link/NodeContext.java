package io.gridshare.node.link;

import io.gridshare.node.engine.InferenceEngine;
import io.gridshare.node.engine.ModelDescriptor;
import io.gridshare.node.gpu.DeviceDiscovery;
import io.gridshare.node.gpu.GpuDevice;
import io.gridshare.proto.v1.Amount;
import io.gridshare.proto.v1.Challenge;
import io.gridshare.proto.v1.Gpu;
import io.gridshare.proto.v1.Heartbeat;
import io.gridshare.proto.v1.Hello;
import io.gridshare.proto.v1.ModelInfo;
import com.google.protobuf.ByteString;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * What every gateway link of one node shares: the key, the engines (one per model, by model
 * hash), the slots, the GPUs, the price, the metrics and where vouchers go.
 */
public final class NodeContext {

    private static final long GPU_REFRESH_MILLIS = 5_000;

    private final NodeKey key;
    private final Map<String, InferenceEngine> engines;
    private final SlotPool slots;
    private final DeviceDiscovery discovery;
    private final BigInteger pricePerToken;
    private final String version;
    private final NodeMetrics metrics;
    private final PaymentListener payments;
    private final LongSupplier clockMillis;
    private final Object gpuLock = new Object();
    private List<GpuDevice> gpus;
    private long gpusAt;

    /**
     * @param engines loaded engines; each is published under its model's hash
     * @param pricePerToken what the node charges per generated token, in the payment token's base units
     */
    public NodeContext(NodeKey key, List<InferenceEngine> engines, SlotPool slots, DeviceDiscovery discovery,
                       BigInteger pricePerToken, String version, NodeMetrics metrics, PaymentListener payments) {
        this.key = Objects.requireNonNull(key, "key");
        this.slots = Objects.requireNonNull(slots, "slots");
        this.discovery = Objects.requireNonNull(discovery, "discovery");
        this.pricePerToken = Objects.requireNonNull(pricePerToken, "pricePerToken");
        if (pricePerToken.signum() < 0) {
            throw new IllegalArgumentException("price per token must not be negative, got " + pricePerToken);
        }
        this.version = Objects.requireNonNull(version, "version");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.payments = Objects.requireNonNull(payments, "payments");
        this.clockMillis = System::currentTimeMillis;
        Map<String, InferenceEngine> byHash = new LinkedHashMap<>();
        for (InferenceEngine engine : engines) {
            String hash = engine.model().modelHash();
            if (byHash.putIfAbsent(hash, engine) != null) {
                throw new IllegalArgumentException("two engines serve the same model " + engine.model().name()
                        + " (" + hash + "); load each model once");
            }
        }
        this.engines = Map.copyOf(byHash);
    }

    public NodeKey key() {
        return key;
    }

    public SlotPool slots() {
        return slots;
    }

    public NodeMetrics metrics() {
        return metrics;
    }

    public String version() {
        return version;
    }

    public BigInteger pricePerToken() {
        return pricePerToken;
    }

    /** Where the gateways' vouchers go. */
    public PaymentListener payments() {
        return payments;
    }

    /** The engine of a model, or null when this node does not hold it. */
    InferenceEngine engine(String modelHash) {
        return engines.get(modelHash);
    }

    public Map<String, InferenceEngine> engines() {
        return engines;
    }

    /** "cuda" when any engine runs on CUDA, else "cpu". */
    public String backend() {
        return engines.values().stream().anyMatch(e -> "cuda".equals(e.backend().name())) ? "cuda" : "cpu";
    }

    /** GPUs as last discovered; rediscovered at most every few seconds (free memory changes). */
    public List<GpuDevice> gpus() {
        synchronized (gpuLock) {
            long now = clockMillis.getAsLong();
            if (gpus == null || now - gpusAt >= GPU_REFRESH_MILLIS) {
                gpus = List.copyOf(discovery.discover());
                gpusAt = now;
            }
            return gpus;
        }
    }

    /**
     * Free slots as advertised to the grid: the link's free slots, capped by how many more jobs at
     * their model's whole context the engines can admit now (the sum over models: each has its own
     * KV cache). A node whose KV cache is full or has jobs queued says so, though it may still have
     * link slots; a job assigned anyway waits in the engine's queue or is refused retryable.
     */
    public int freeSlots() {
        int free = slots.free();
        if (engines.isEmpty()) {
            return free;
        }
        long byCache = 0;
        for (InferenceEngine engine : engines.values()) {
            byCache += engine.slots().free();
        }
        return (int) Math.max(0, Math.min(free, byCache));
    }

    /** The Hello that answers a gateway's challenge. */
    Hello hello(Challenge challenge) {
        Hello.Builder hello = Hello.newBuilder()
                .setNodeKey(key.address())
                .setSignature(ByteString.copyFrom(key.signChallenge(challenge)))
                .setPricePerToken(Amount.newBuilder().setBaseUnits(pricePerToken.toString()))
                .setTotalSlots(slots.total())
                .setFreeSlots(freeSlots())
                .setVersion(version)
                .setBackend(backend());
        for (GpuDevice d : gpus()) {
            hello.addGpus(Gpu.newBuilder()
                    .setOrdinal(d.ordinal())
                    .setName(d.name())
                    .setTotalMemoryBytes(d.totalMemoryBytes())
                    .setFreeMemoryBytes(d.freeMemoryBytes())
                    .setUuid(d.uuid() == null ? "" : d.uuid())
                    .setComputeCapabilityMajor(d.computeCapabilityMajor())
                    .setComputeCapabilityMinor(d.computeCapabilityMinor()));
        }
        for (InferenceEngine engine : engines.values()) {
            ModelDescriptor m = engine.model();
            hello.addModels(ModelInfo.newBuilder()
                    .setName(m.name())
                    .setModelHash(m.modelHash())
                    .setCheckpointSha256(m.checkpointSha256())
                    .setTokenizerSha256(m.tokenizerSha256())
                    .setContextLength(m.contextLength())
                    .setVocabSize(m.vocabSize())
                    .setSlotMemoryBytes(engine.slots().bytesPerSlot())
                    .setArchitecture(m.architecture())
                    .setParameters(m.parameters())
                    .setQuantization(m.quantization())
                    .setChat(m.hasChatTemplate()));
        }
        return hello.build();
    }

    Heartbeat heartbeat() {
        int used = slots.used();
        long freeVram = 0;
        for (GpuDevice d : gpus()) {
            freeVram += d.freeMemoryBytes();
        }
        return Heartbeat.newBuilder()
                .setFreeSlots(freeSlots())
                .setLoad(used / (float) slots.total())
                .setFreeVramBytes(freeVram)
                .setActiveJobs(used)
                .setTokensPerSecond(metrics.recentTokensPerSecond())
                .build();
    }
}
