package io.gridshare.node.engine.cuda;

import static jcuda.driver.JCudaDriver.cuCtxCreate;
import static jcuda.driver.JCudaDriver.cuCtxDestroy;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;
import static jcuda.driver.JCudaDriver.cuGraphDestroy;
import static jcuda.driver.JCudaDriver.cuGraphExecDestroy;
import static jcuda.driver.JCudaDriver.cuGraphInstantiate;
import static jcuda.driver.JCudaDriver.cuGraphLaunch;
import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuStreamBeginCapture;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamEndCapture;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import io.gridshare.node.engine.BackendInfo;
import io.gridshare.node.engine.BackendSlot;
import io.gridshare.node.engine.BackendUnavailableException;
import io.gridshare.node.engine.EngineConfig;
import io.gridshare.node.engine.ForwardBackend;
import io.gridshare.node.engine.SlotAllocationException;
import io.gridshare.node.gpu.CudaDeviceDiscovery;
import io.gridshare.node.gpu.GpuDevice;
import io.gridshare.node.model.ArchitectureParams;
import io.gridshare.node.model.LlamaConfig;
import io.gridshare.node.model.TransformerModel;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import jcuda.CudaException;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUstream;
import jcuda.driver.CUstreamCaptureMode;
import jcuda.driver.CUstream_flags;

/**
 * The forward pass of Llama-family models (llama2.c checkpoints, GGUF Llama / Qwen2) on an NVIDIA
 * GPU through the CUDA driver API (JCuda), with the kernels of {@code src/main/cuda/llama.cu} and
 * {@code gguf.cu}.
 *
 * <p>One device thread owns the CUDA context and makes every driver call. Engine threads hand it
 * their slot's next token and wait; the device thread takes every request waiting at that moment
 * (up to the slot count) and runs them as one batch, so concurrent jobs share each pass over the
 * weights. Weights are uploaded once, from the memory-mapped model, in their stored layout: F32,
 * F16, Q8_0 and Q4_K matrices stay as they are and the product kernels dequantize in registers
 * ({@link KernelModule#SUPPORTED}; a model with any other type is refused by {@link ModelSupport}).
 * Each slot's KV cache is its own device allocation; only the logits come back to the host.
 *
 * <p>A step's kernels read token, position and slot from device memory, so their parameters never
 * change: the launches of a step with {@code n} rows are captured once into a CUDA graph and
 * replayed, one driver call instead of {@code 3 + 12 * layers}. {@value #GRAPHS_PROPERTY}{@code
 * =false} launches the kernels one by one instead (as does a failed capture, with one log line).
 */
public final class CudaBackend implements ForwardBackend {

    /** System property: {@code false} turns off CUDA graph replay of decode steps. */
    public static final String GRAPHS_PROPERTY = "gridshare.cuda.graphs";
    private static final System.Logger LOG = System.getLogger(CudaBackend.class.getName());
    /** Threads per block of the per-row kernels (rmsnorm, embed, rope, attention). */
    private static final int BLOCK = 256;
    /** Rows per block of the matrix-vector kernels: one warp per row. */
    private static final int MATVEC_WARPS = 8;

    private final LlamaConfig c;
    private final ArchitectureParams arch;
    private final BackendInfo info;
    private final long reserveBytes;
    private final int maxBatch;
    private boolean useGraphs;
    private final DeviceThread device;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Slots holding a KV cache now: the blocks of {@link #kvCache()}, one whole context each. */
    private final java.util.concurrent.atomic.AtomicInteger slotsHeld = new java.util.concurrent.atomic.AtomicInteger();

    // everything below is touched only on the device thread
    private CUcontext context;
    private KernelModule kernels;
    private final List<CUdeviceptr> allocations = new ArrayList<>();
    private final ArrayDeque<Integer> freeSlotIndices = new ArrayDeque<>();
    private CUdeviceptr keyTable, valueTable, stepArgs, logits;
    private CUstream stream;
    /** Pinned host buffers: step arguments [slot x maxBatch, token x maxBatch, pos x maxBatch], logits. */
    private Pointer hostStepArgs, hostLogits;
    private IntBuffer stepArgsView;
    private FloatBuffer logitsView;
    /** Instantiated graphs of a step, by batch size; null until first used. */
    private final CUgraphExec[] graphs;
    /** The launches of one step in order, their parameters packed once. */
    private StepLaunch[] launches;

    private CudaBackend(TransformerModel model, EngineConfig engineConfig, GpuDevice gpu, boolean useGraphs) {
        this.c = model.config();
        this.arch = model.params();
        this.reserveBytes = engineConfig.memoryReserveBytes();
        this.maxBatch = engineConfig.slots();
        this.useGraphs = useGraphs;
        this.graphs = new CUgraphExec[maxBatch + 1];
        this.info = new BackendInfo("cuda", List.of(gpu), gpu.name() + " (device " + gpu.ordinal() + ", compute "
                + gpu.computeCapabilityMajor() + "." + gpu.computeCapabilityMinor() + "), batches up to " + maxBatch
                + " slot(s) per pass");
        for (int i = 0; i < maxBatch; i++) {
            freeSlotIndices.add(i);
        }
        this.device = new DeviceThread("gridshare-cuda-" + gpu.ordinal());
    }

    /**
     * Opens a context on {@code config.cudaDevice()}, loads the kernels and uploads the weights.
     *
     * @throws BackendUnavailableException when the device is not there, the weights do not fit in
     *     its free memory, or the driver fails; nothing stays allocated then
     */
    static CudaBackend create(TransformerModel model, EngineConfig config) throws BackendUnavailableException {
        return create(model, config, !"false".equalsIgnoreCase(System.getProperty(GRAPHS_PROPERTY, "true")));
    }

    /** As {@link #create(TransformerModel, EngineConfig)}, with graph replay on or off. */
    static CudaBackend create(TransformerModel model, EngineConfig config, boolean useGraphs)
            throws BackendUnavailableException {
        ModelSupport.check(model);
        int ordinal = config.cudaDevice();
        GpuDevice gpu = new CudaDeviceDiscovery().discover().stream().filter(d -> d.ordinal() == ordinal).findFirst()
                .orElseThrow(() -> new BackendUnavailableException("CUDA device " + ordinal + " not found"));
        CudaBackend backend = new CudaBackend(model, config, gpu, useGraphs);
        try {
            backend.device.call(() -> {
                backend.open(model, ordinal);
                return null;
            });
            return backend;
        } catch (BackendUnavailableException e) {
            backend.close();
            throw e;
        } catch (Exception e) {
            backend.close();
            throw new BackendUnavailableException("CUDA backend could not start on device " + ordinal + " ("
                    + gpu.name() + "): " + e.getMessage(), e);
        }
    }

    /** Ints of step arguments per batch row: slot, token, position (then one int: the batch size). */
    private static final int STEP_ARGS_INTS = 3;

    private void open(TransformerModel model, int ordinal) throws BackendUnavailableException {
        CUdevice dev = new CUdevice();
        cuDeviceGet(dev, ordinal);
        context = new CUcontext();
        cuCtxCreate(context, 0, dev);
        kernels = new KernelModule();
        stream = new CUstream();
        cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING);

        float[] ropeTable = ModelSupport.ropeTable(arch, c.seqLen());
        long weightBytes = DeviceWeights.bytes(model) + 4L * ropeTable.length;
        long stepArgBytes = STEP_ARGS_INTS * 4L * maxBatch + 4;
        long activationBytes = (long) maxBatch * rowActivationBytes(c) + 2L * 8 * maxBatch + stepArgBytes;
        long free = freeDeviceBytes();
        if (weightBytes + activationBytes + reserveBytes > free) {
            throw new BackendUnavailableException("the model needs " + mib(weightBytes) + " MiB of weights and "
                    + mib(activationBytes) + " MiB of activations on the GPU, plus " + mib(reserveBytes)
                    + " MiB kept free, but device " + ordinal + " has " + mib(free) + " MiB free; use a smaller"
                    + " model, fewer slots, or the CPU backend");
        }

        DeviceWeights w = new DeviceWeights(model, this::alloc);
        CUdeviceptr rope = alloc(4L * ropeTable.length);
        cuMemcpyHtoD(rope, Pointer.to(ropeTable), 4L * ropeTable.length);

        int dim = c.dim(), kvDim = c.kvDim(), hidden = c.hiddenDim(), vocab = c.vocabSize();
        CUdeviceptr x = alloc(4L * maxBatch * dim);
        CUdeviceptr xb = alloc(4L * maxBatch * dim);
        CUdeviceptr q = alloc(4L * maxBatch * dim);
        CUdeviceptr k = alloc(4L * maxBatch * kvDim);
        CUdeviceptr v = alloc(4L * maxBatch * kvDim);
        CUdeviceptr hb = alloc(4L * maxBatch * hidden);
        CUdeviceptr hb2 = alloc(4L * maxBatch * hidden);
        CUdeviceptr att = alloc(4L * maxBatch * c.heads() * c.seqLen());
        logits = alloc(4L * maxBatch * vocab);
        keyTable = alloc(8L * maxBatch);
        valueTable = alloc(8L * maxBatch);
        stepArgs = alloc(stepArgBytes);
        hostStepArgs = new Pointer();
        cuMemAllocHost(hostStepArgs, stepArgBytes);
        stepArgsView = hostStepArgs.getByteBuffer(0, stepArgBytes).order(ByteOrder.nativeOrder()).asIntBuffer();
        hostLogits = new Pointer();
        cuMemAllocHost(hostLogits, 4L * maxBatch * vocab);
        logitsView = hostLogits.getByteBuffer(0, 4L * maxBatch * vocab).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        CUdeviceptr slot = stepArgs;
        CUdeviceptr token = stepArgs.withByteOffset(4L * maxBatch);
        CUdeviceptr pos = stepArgs.withByteOffset(8L * maxBatch);
        CUdeviceptr batch = stepArgs.withByteOffset(STEP_ARGS_INTS * 4L * maxBatch);
        CUdeviceptr none = new CUdeviceptr();

        // kernel parameters never change between steps (the batch size is the grid's y or read
        // from device memory), so they are packed once here and the hot path allocates nothing
        float eps = arch.normEps();
        int neox = arch.ropeStyle() == ArchitectureParams.RopeStyle.NEOX ? 1 : 0;
        List<StepLaunch> step = new ArrayList<>();
        step.add(perRow(kernels.embedAny, x, w.embedding.ptr(), token, dim, w.embedding.type().id()));
        for (int l = 0; l < c.layers(); l++) {
            step.add(perRow(kernels.rmsnorm, xb, x, w.attNorm[l], dim, eps));
            step.add(product(w.wq[l], q, xb, w.bq[l], false, batch));
            step.add(product(w.wk[l], k, xb, w.bk[l], false, batch));
            step.add(product(w.wv[l], v, xb, w.bv[l], false, batch));
            step.add(perRow(kernels.ropeStoreExt, q, k, v, keyTable, valueTable, rope, slot, pos, l, c.seqLen(), dim,
                    kvDim, c.headSize(), arch.ropeDims(), neox));
            Pointer attention = params(xb, q, keyTable, valueTable, att, slot, pos, l, c.seqLen(), c.heads(),
                    c.kvHeads(), c.headSize());
            step.add(n -> launch(kernels.attention, c.heads(), n, BLOCK, attention));
            step.add(product(w.wo[l], x, xb, none, true, batch));
            step.add(perRow(kernels.rmsnorm, xb, x, w.ffnNorm[l], dim, eps));
            step.add(product(w.gate[l], hb, xb, none, false, batch));
            step.add(product(w.up[l], hb2, xb, none, false, batch));
            Pointer swiglu = params(hb, hb2, hidden);
            step.add(n -> launch(kernels.swigluRows, (hidden + BLOCK - 1) / BLOCK, n, BLOCK, swiglu));
            step.add(product(w.down[l], x, hb, none, true, batch));
        }
        step.add(perRow(kernels.rmsnorm, xb, x, w.outputNorm, dim, eps));
        step.add(product(w.output, logits, xb, none, false, batch));
        launches = step.toArray(StepLaunch[]::new);
        // the uploads ran on the legacy stream, which the non-blocking step stream does not wait for
        cuCtxSynchronize();
    }

    /** Activation memory of one batch row: x, xb, q, k, v, hb, hb2, attention scores and logits. */
    static long rowActivationBytes(LlamaConfig c) {
        return 4L * (3L * c.dim() + 2L * c.kvDim() + 2L * c.hiddenDim() + (long) c.heads() * c.seqLen()
                + c.vocabSize());
    }

    /** KV cache of one slot: keys and values for every layer and position. */
    static long kvCacheBytes(LlamaConfig c) {
        return 2L * 4L * c.layers() * c.seqLen() * c.kvDim();
    }

    @Override
    public BackendInfo info() {
        return info;
    }

    @Override
    public LlamaConfig config() {
        return c;
    }

    @Override
    public long bytesPerSlot() {
        return kvCacheBytes(c) + rowActivationBytes(c);
    }

    /**
     * Whole-context slots: a block is one slot's cache, {@code seqLen} positions; the engine's slot
     * count bounds them. Slots the engine keeps for reuse hold their memory, so they count as used.
     */
    @Override
    public io.gridshare.node.engine.KvCacheStatus kvCache() {
        return new io.gridshare.node.engine.KvCacheStatus(c.seqLen(), maxBatch, slotsHeld.get(), kvCacheBytes(c));
    }

    @Override
    public long freeSlotMemoryBytes() {
        try {
            long free = device.call(this::freeDeviceBytes);
            return Math.max(0, free - reserveBytes);
        } catch (Exception e) {
            return 0;
        }
    }

    @Override
    public BackendSlot allocateSlot() throws SlotAllocationException {
        try {
            return device.call(this::newSlot);
        } catch (SlotAllocationException e) {
            throw e;
        } catch (Exception e) {
            throw new SlotAllocationException("cannot allocate a CUDA slot: " + e.getMessage(), e);
        }
    }

    private CudaSlot newSlot() throws SlotAllocationException {
        Integer index = freeSlotIndices.poll();
        if (index == null) {
            throw new SlotAllocationException("all " + maxBatch + " CUDA slots are in use; the engine was configured"
                    + " with " + maxBatch + " slots");
        }
        long bytes = kvCacheBytes(c) / 2;
        CUdeviceptr keys = new CUdeviceptr();
        CUdeviceptr values = new CUdeviceptr();
        try {
            cuMemAlloc(keys, bytes);
            try {
                cuMemAlloc(values, bytes);
            } catch (CudaException e) {
                cuMemFree(keys);
                throw e;
            }
        } catch (CudaException e) {
            freeSlotIndices.push(index);
            throw new SlotAllocationException("the GPU cannot hold another KV cache of " + mib(2 * bytes)
                    + " MiB (" + e.getMessage() + "); run fewer jobs at once on this node", e);
        }
        cuMemcpyHtoD(keyTable.withByteOffset(8L * index), Pointer.to(keys), 8);
        cuMemcpyHtoD(valueTable.withByteOffset(8L * index), Pointer.to(values), 8);
        cuCtxSynchronize(); // visible to the next step on the non-blocking stream
        slotsHeld.incrementAndGet();
        return new CudaSlot(index, keys, values);
    }

    @Override
    public void forward(BackendSlot backendSlot, int token, int pos, float[] out) {
        CudaSlot slot = (CudaSlot) backendSlot;
        if (token < 0 || token >= c.vocabSize()) {
            throw new IllegalArgumentException("token " + token + " outside the vocabulary [0, " + c.vocabSize() + ")");
        }
        if (pos < 0 || pos >= c.seqLen()) {
            throw new IllegalArgumentException("position " + pos + " outside the context [0, " + c.seqLen() + ")");
        }
        if (out.length < c.vocabSize()) {
            throw new IllegalArgumentException("logits array holds " + out.length + " floats, needs " + c.vocabSize());
        }
        if (slot.closed.get()) {
            throw new IllegalStateException("slot " + slot.index + " was closed");
        }
        slot.token = token;
        slot.pos = pos;
        slot.logits = out;
        slot.error = null;
        device.submitForward(slot);
        slot.done.acquireUninterruptibly();
        RuntimeException error = slot.error;
        slot.logits = null;
        if (error != null) {
            throw error;
        }
    }

    /** One batched decode step for {@code n} slots, on the device thread. */
    private void step(CudaSlot[] batch, int n) {
        int vocab = c.vocabSize();
        for (int i = 0; i < n; i++) {
            stepArgsView.put(i, batch[i].index);
            stepArgsView.put(maxBatch + i, batch[i].token);
            stepArgsView.put(2 * maxBatch + i, batch[i].pos);
        }
        stepArgsView.put(STEP_ARGS_INTS * maxBatch, n);
        cuMemcpyHtoDAsync(stepArgs, hostStepArgs, STEP_ARGS_INTS * 4L * maxBatch + 4, stream);
        CUgraphExec exec = useGraphs ? graphOrNull(n) : null;
        if (exec != null) {
            cuGraphLaunch(exec, stream);
        } else {
            enqueueKernels(n);
        }
        cuMemcpyDtoHAsync(hostLogits, logits, 4L * n * vocab, stream);
        // waits for the step and reports any error of its kernels
        cuStreamSynchronize(stream);
        for (int i = 0; i < n; i++) {
            logitsView.get(i * vocab, batch[i].logits, 0, vocab);
        }
    }

    /** The kernels of one step for {@code n} rows, in order, on the backend's stream. */
    private void enqueueKernels(int n) {
        for (StepLaunch launch : launches) {
            launch.enqueue(n);
        }
    }

    /** The step graph for {@code n} rows, or null (graphs then off for good) when capture fails. */
    private CUgraphExec graphOrNull(int n) {
        try {
            return graph(n);
        } catch (CudaException e) {
            useGraphs = false;
            LOG.log(System.Logger.Level.WARNING, "CUDA graph capture failed (" + e.getMessage()
                    + "); launching kernels one by one from now on");
            return null;
        }
    }

    /** The step graph for {@code n} rows, captured from {@link #enqueueKernels} on first use. */
    private CUgraphExec graph(int n) {
        CUgraphExec exec = graphs[n];
        if (exec != null) {
            return exec;
        }
        CUgraph graph = new CUgraph();
        cuStreamBeginCapture(stream, CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL);
        try {
            enqueueKernels(n);
        } finally {
            cuStreamEndCapture(stream, graph);
        }
        exec = new CUgraphExec();
        try {
            cuGraphInstantiate(exec, graph, 0);
        } finally {
            cuGraphDestroy(graph);
        }
        graphs[n] = exec;
        return exec;
    }

    private void launch(CUfunction f, int gridX, int gridY, int block, Pointer params) {
        cuLaunchKernel(f, gridX, gridY, 1, block, 1, 1, 0, stream, params, null);
    }

    private void launchRows(CUfunction f, int rows, int batch, Pointer params) {
        launch(f, (rows + MATVEC_WARPS - 1) / MATVEC_WARPS, batch, MATVEC_WARPS * 32, params);
    }

    /** A kernel launch of a step, for {@code n} batch rows. */
    @FunctionalInterface
    private interface StepLaunch {
        void enqueue(int n);
    }

    /** A per-row kernel: grid (n), block {@value #BLOCK}. */
    private StepLaunch perRow(CUfunction f, Object... args) {
        Pointer p = params(args);
        return n -> launch(f, n, 1, BLOCK, p);
    }

    /**
     * {@code out (+)= W x (+ bias)} with the kernel for W's type: the plain kernel for one row, the
     * batched one (batch size from device memory, weights read once) for more.
     */
    private StepLaunch product(DeviceWeights.Matrix w, CUdeviceptr out, CUdeviceptr x, CUdeviceptr bias,
                               boolean accumulate, CUdeviceptr batchCount) {
        CUfunction single = kernels.matvec(w.type(), false);
        CUfunction batched = kernels.matvec(w.type(), true);
        int acc = accumulate ? 1 : 0;
        Pointer pSingle = params(out, w.ptr(), x, bias, w.cols(), w.rows(), acc);
        Pointer pBatched = params(out, w.ptr(), x, bias, w.cols(), w.rows(), acc, batchCount);
        int rows = w.rows();
        return n -> launchRows(n == 1 ? single : batched, rows, 1, n == 1 ? pSingle : pBatched);
    }

    /** Packs kernel arguments per the JCuda samples: a pointer to an array of pointers to each value. */
    private static Pointer params(Object... args) {
        NativePointerObject[] pointers = new NativePointerObject[args.length];
        for (int i = 0; i < args.length; i++) {
            pointers[i] = switch (args[i]) {
                case CUdeviceptr p -> Pointer.to(p);
                case Integer value -> Pointer.to(new int[] {value});
                case Float value -> Pointer.to(new float[] {value});
                default -> throw new IllegalArgumentException("unsupported kernel argument " + args[i]);
            };
        }
        return Pointer.to(pointers);
    }

    private CUdeviceptr alloc(long bytes) {
        CUdeviceptr p = new CUdeviceptr();
        cuMemAlloc(p, Math.max(bytes, 4));
        allocations.add(p);
        return p;
    }

    private long freeDeviceBytes() {
        long[] free = new long[1];
        long[] total = new long[1];
        cuMemGetInfo(free, total);
        return free[0];
    }

    private static long mib(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            device.call(() -> {
                releaseDevice();
                return null;
            });
        } catch (Exception e) {
            System.getLogger(CudaBackend.class.getName()).log(System.Logger.Level.WARNING,
                    "releasing the CUDA backend failed: " + e.getMessage(), e);
        } finally {
            device.stop();
        }
    }

    private void releaseDevice() {
        if (context == null) {
            return;
        }
        try {
            for (CUgraphExec exec : graphs) {
                if (exec != null) {
                    cuGraphExecDestroy(exec);
                }
            }
            java.util.Arrays.fill(graphs, null);
            for (CUdeviceptr p : allocations) {
                cuMemFree(p);
            }
            allocations.clear();
            if (hostStepArgs != null) {
                cuMemFreeHost(hostStepArgs);
                hostStepArgs = null;
            }
            if (hostLogits != null) {
                cuMemFreeHost(hostLogits);
                hostLogits = null;
            }
            if (stream != null) {
                cuStreamDestroy(stream);
                stream = null;
            }
            if (kernels != null) {
                kernels.close();
            }
        } finally {
            // destroying the context also frees whatever a failure above left behind
            cuCtxDestroy(context);
            context = null;
        }
    }

    /** One slot: its index into the device's KV cache tables and its two cache allocations. */
    final class CudaSlot implements BackendSlot {
        final int index;
        private final CUdeviceptr keys, values;
        final AtomicBoolean closed = new AtomicBoolean();
        final Semaphore done = new Semaphore(0);
        // request fields: written by the engine thread before submitting, read by the device thread
        volatile int token, pos;
        volatile float[] logits;
        volatile RuntimeException error;

        CudaSlot(int index, CUdeviceptr keys, CUdeviceptr values) {
            this.index = index;
            this.keys = keys;
            this.values = values;
        }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            slotsHeld.decrementAndGet();
            if (CudaBackend.this.closed.get()) {
                return;
            }
            try {
                device.call(() -> {
                    if (context != null) {
                        cuMemFree(keys);
                        cuMemFree(values);
                        freeSlotIndices.push(index);
                    }
                    return null;
                });
            } catch (Exception e) {
                System.getLogger(CudaBackend.class.getName()).log(System.Logger.Level.WARNING,
                        "freeing CUDA slot " + index + " failed: " + e.getMessage(), e);
            }
        }
    }

    /**
     * The thread that owns the context. Its queue holds forward requests (slots) and other tasks;
     * consecutive forward requests are run as one batch.
     */
    private final class DeviceThread implements Runnable {
        private static final Object STOP = new Object();
        private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        private final Thread thread;
        private final CudaSlot[] batch;

        DeviceThread(String name) {
            batch = new CudaSlot[maxBatch];
            thread = Thread.ofPlatform().name(name).daemon(true).start(this);
        }

        <T> T call(Callable<T> task) throws Exception {
            if (!thread.isAlive()) {
                throw new IllegalStateException("the CUDA device thread has stopped");
            }
            FutureTask<T> future = new FutureTask<>(task);
            queue.add(future);
            try {
                return future.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Exception cause) {
                    throw cause;
                }
                throw e;
            }
        }

        void submitForward(CudaSlot slot) {
            if (!thread.isAlive() || closed.get()) {
                throw new IllegalStateException("the CUDA backend is closed");
            }
            queue.add(slot);
        }

        void stop() {
            queue.add(STOP);
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // fail whatever arrived after the stop so no engine thread waits forever
            Object item;
            while ((item = queue.poll()) != null) {
                if (item instanceof CudaSlot s) {
                    s.error = new IllegalStateException("the CUDA backend is closed");
                    s.done.release();
                } else if (item instanceof FutureTask<?> f) {
                    f.cancel(false);
                }
            }
        }

        @Override
        public void run() {
            while (true) {
                Object item;
                try {
                    item = queue.take();
                } catch (InterruptedException e) {
                    return;
                }
                if (item == STOP) {
                    return;
                }
                if (item instanceof FutureTask<?> task) {
                    task.run();
                    continue;
                }
                int n = 0;
                batch[n++] = (CudaSlot) item;
                // only this thread takes from the queue, so peek-then-poll is safe
                while (n < maxBatch && queue.peek() instanceof CudaSlot) {
                    batch[n++] = (CudaSlot) queue.poll();
                }
                try {
                    step(batch, n);
                } catch (RuntimeException | Error e) {
                    RuntimeException failure = new IllegalStateException("CUDA forward pass failed on "
                            + info.detail() + ": " + e.getMessage(), e);
                    for (int i = 0; i < n; i++) {
                        batch[i].error = failure;
                    }
                } finally {
                    for (int i = 0; i < n; i++) {
                        batch[i].done.release();
                        batch[i] = null;
                    }
                }
            }
        }
    }
}
