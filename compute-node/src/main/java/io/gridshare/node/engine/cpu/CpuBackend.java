package io.gridshare.node.engine.cpu;

import io.gridshare.node.engine.BackendInfo;
import io.gridshare.node.engine.BackendSlot;
import io.gridshare.node.engine.EngineConfig;
import io.gridshare.node.engine.ForwardBackend;
import io.gridshare.node.engine.KvCacheStatus;
import io.gridshare.node.engine.SlotAllocationException;
import io.gridshare.node.model.ArchitectureParams;
import io.gridshare.node.model.LlamaConfig;
import io.gridshare.node.model.TransformerModel;
import io.gridshare.node.tensor.WeightMatrix;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * The forward pass of the Llama family (Llama 2/3, Mistral, SmolLM2, Qwen2) on the CPU with the
 * Vector API, reading weights in place from the mapped model file in their stored type (float or
 * quantized blocks; see {@link WeightMatrix}). Matrix-vector products split over rows across a
 * fork-join pool only when a matrix holds at least {@link #PARALLEL_MIN_WEIGHTS} weights: below
 * that (stories260K's largest matrix has 32,768) handing work to other threads costs more than the
 * product itself.
 *
 * <p>The KV cache is one {@link KvBlockPool} per backend, allocated when the backend is built: its
 * size is {@link EngineConfig#kvCacheBytes()}, or by default what the heap has free beyond the
 * reserve, and never more than {@code slots} jobs at the whole context need. A slot holds the blocks
 * its job's positions reached (see {@link CpuSlot}).
 */
public final class CpuBackend implements ForwardBackend {

    /** Smallest matrix (in weights) whose product is split across threads. */
    public static final long PARALLEL_MIN_WEIGHTS = 1L << 18;
    /** Rows per fork-join task, at least. */
    private static final int MIN_ROWS_PER_TASK = 16;

    final LlamaConfig c;
    private final ArchitectureParams params;
    private final BackendInfo info;
    private final long reserveBytes;
    private final ForkJoinPool pool;
    private final int threads;

    final WeightMatrix embedding, classifier;
    final WeightMatrix[] wq, wk, wv, wo, w1, w2, w3;
    final float[][] rmsAtt, rmsFfn, bq, bk, bv;
    final float[] rmsFinal;
    final Rope rope;
    final float attScale, eps;
    private final BatchForward batchForward;
    final KvBlockPool kv;
    /** Floats of one layer in a block: keys then values, {@code [2][kvDim][BLOCK]}. */
    final int layerFloats;

    public CpuBackend(TransformerModel model, EngineConfig config, String detail) {
        this(model, config, detail, KvBlockPool.MAX_ARRAY_FLOATS);
    }

    /** @param maxArrayFloats the most floats one array of the KV pool holds (tests split the pool with it) */
    CpuBackend(TransformerModel model, EngineConfig config, String detail, int maxArrayFloats) {
        this.c = model.config();
        this.params = model.params();
        this.reserveBytes = config.memoryReserveBytes();
        this.threads = config.effectiveCpuThreads();
        this.pool = threads > 1 ? new ForkJoinPool(threads) : null;
        this.info = new BackendInfo("cpu", List.of(), "Vector API, " + VectorKernels.lanes() + " float lanes, "
                + threads + " thread(s); " + detail);
        int layers = c.layers();
        embedding = model.tokenEmbedding();
        classifier = model.output();
        wq = new WeightMatrix[layers];
        wk = new WeightMatrix[layers];
        wv = new WeightMatrix[layers];
        wo = new WeightMatrix[layers];
        w1 = new WeightMatrix[layers];
        w2 = new WeightMatrix[layers];
        w3 = new WeightMatrix[layers];
        rmsAtt = new float[layers][];
        rmsFfn = new float[layers][];
        bq = new float[layers][];
        bk = new float[layers][];
        bv = new float[layers][];
        for (int l = 0; l < layers; l++) {
            wq[l] = model.wq(l);
            wk[l] = model.wk(l);
            wv[l] = model.wv(l);
            wo[l] = model.wo(l);
            w1[l] = model.ffnGate(l);
            w2[l] = model.ffnDown(l);
            w3[l] = model.ffnUp(l);
            // norm weights and biases are a few floats per layer; on the heap they stay in cache next to x
            rmsAtt[l] = model.attentionNorm(l);
            rmsFfn[l] = model.ffnNorm(l);
            bq[l] = model.bq(l);
            bk[l] = model.bk(l);
            bv[l] = model.bv(l);
        }
        rmsFinal = model.outputNorm();
        rope = new Rope(params, c.headSize(), c.seqLen());
        attScale = (float) Math.sqrt(c.headSize());
        eps = params.normEps();
        batchForward = new BatchForward(this);
        layerFloats = 2 * c.kvDim() * KvBlockPool.BLOCK;
        kv = KvBlockPool.forModel(c, config, Math.max(0, freeSlotMemoryBytes() - config.slots() * CpuSlot.bytes(c)),
                maxArrayFloats);
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
        return CpuSlot.bytes(c);
    }

    @Override
    public KvCacheStatus kvCache() {
        return new KvCacheStatus(KvBlockPool.BLOCK, kv.totalBlocks(), kv.usedBlocks(),
                KvBlockPool.bytesPerBlock(kv.blockFloats()));
    }

    @Override
    public long freeSlotMemoryBytes() {
        Runtime rt = Runtime.getRuntime();
        long used = rt.totalMemory() - rt.freeMemory();
        return Math.max(0, rt.maxMemory() - used - reserveBytes);
    }

    @Override
    public BackendSlot allocateSlot() throws SlotAllocationException {
        try {
            return new CpuSlot(c, kv);
        } catch (OutOfMemoryError e) {
            throw new SlotAllocationException("the Java heap cannot hold another slot's activations of " + bytesPerSlot()
                    + " bytes; raise -Xmx, lower the slot count or the context (--context)", e);
        }
    }

    @Override
    public void forward(BackendSlot backendSlot, int token, int pos, float[] logits) {
        CpuSlot s = (CpuSlot) backendSlot;
        int dim = c.dim(), hidden = c.hiddenDim(), kvDim = c.kvDim(), headSize = c.headSize();
        float[] x = s.x, xb = s.xb, xb2 = s.xb2, hb = s.hb, hb2 = s.hb2, q = s.q, att = s.att;

        embedding.dequantizeRow(token, x, 0);

        for (int l = 0; l < c.layers(); l++) {
            VectorKernels.rmsnorm(xb, x, rmsAtt[l], dim, eps);
            matmul(q, xb, wq[l], dim);
            matmul(s.k, xb, wk[l], kvDim);
            matmul(s.v, xb, wv[l], kvDim);
            addBias(q, bq[l]);
            addBias(s.k, bk[l]);
            addBias(s.v, bv[l]);

            float[] k = s.k;
            rope.apply(q, dim, pos);
            rope.apply(k, kvDim, pos);
            s.reach(pos);
            store(s, l, pos, k, s.v);

            attention(xb, q, s, l, att, s.acc, pos);
            matmul(xb2, xb, wo[l], dim);
            for (int i = 0; i < dim; i++) {
                x[i] += xb2[i];
            }

            VectorKernels.rmsnorm(xb, x, rmsFfn[l], dim, eps);
            matmul(hb, xb, w1[l], hidden);
            matmul(hb2, xb, w3[l], hidden);
            VectorKernels.swiglu(hb, hb2, hidden);
            matmul(xb, hb, w2[l], dim);
            for (int i = 0; i < dim; i++) {
                x[i] += xb[i];
            }
        }
        VectorKernels.rmsnorm(x, x, rmsFinal, dim, eps);
        matmul(logits, x, classifier, c.vocabSize());
    }

    /**
     * Writes position {@code pos}'s keys and values of layer {@code l} into the slot's block: the
     * block is stored {@code [layer][K or V][kvDim][BLOCK]} so that scores and weighted sums run
     * along positions, a full vector at a time even for tiny heads.
     */
    void store(CpuSlot s, int l, int pos, float[] k, float[] v) {
        int b = pos / KvBlockPool.BLOCK;
        float[] block = s.blockArray[b];
        int kBase = s.blockOffset[b] + l * layerFloats + pos % KvBlockPool.BLOCK;
        int vBase = kBase + c.kvDim() * KvBlockPool.BLOCK;
        for (int i = 0; i < c.kvDim(); i++) {
            block[kBase + i * KvBlockPool.BLOCK] = k[i];
            block[vBase + i * KvBlockPool.BLOCK] = v[i];
        }
    }

    /**
     * Grouped-query causal attention of one position over the slot's blocks of layer {@code l}:
     * {@code out} = softmax(q·K / √d)·V per head.
     */
    void attention(float[] out, float[] q, CpuSlot s, int l, float[] att, float[] acc, int pos) {
        int headSize = c.headSize(), kvMul = c.kvMul(), seqLen = c.seqLen();
        int n = pos + 1;
        for (int h = 0; h < c.heads(); h++) {
            int qo = h * headSize;
            int ao = h * seqLen;
            int kOff = l * layerFloats + (h / kvMul) * headSize * KvBlockPool.BLOCK;
            int vOff = kOff + c.kvDim() * KvBlockPool.BLOCK;
            BlockKernels.scores(att, ao, q, qo, s.blockArray, s.blockOffset, kOff, headSize, n, attScale);
            VectorKernels.softmax(att, ao, n);
            BlockKernels.weightedSum(out, qo, att, ao, s.blockArray, s.blockOffset, vOff, headSize, n, acc);
        }
    }

    @Override
    public void forwardBatch(io.gridshare.node.engine.StepBatch batch) {
        if (batch.count() == 1 && batch.logits(0) != null) {
            forward(batch.slot(0), batch.token(0), batch.position(0), batch.logits(0));
        } else {
            batchForward.run(batch);
        }
    }

    static void addBias(float[] v, float[] bias) {
        if (bias != null) {
            for (int i = 0; i < bias.length; i++) {
                v[i] += bias[i];
            }
        }
    }

    private void matmul(float[] out, float[] x, WeightMatrix w, int rows) {
        if (pool == null || (long) rows * w.cols() < PARALLEL_MIN_WEIGHTS) {
            w.matmul(out, x, 0, rows);
        } else {
            int chunk = Math.max(MIN_ROWS_PER_TASK, (rows + threads - 1) / threads);
            pool.invoke(new RowTask(out, x, w, 0, rows, chunk));
        }
    }

    /** {@code out[b] = w · x[b]} for {@code batch} rows, split over the pool like {@link #matmul}. */
    void matmulBatch(float[][] out, float[][] x, int batch, WeightMatrix w, int rows) {
        if (pool == null || (long) rows * w.cols() < PARALLEL_MIN_WEIGHTS) {
            w.matmulBatch(out, x, batch, 0, rows);
        } else {
            int chunk = Math.max(MIN_ROWS_PER_TASK, (rows + threads - 1) / threads);
            pool.invoke(new BatchRowTask(out, x, batch, w, 0, rows, chunk));
        }
    }

    private static final class BatchRowTask extends RecursiveAction {
        private final float[][] out, x;
        private final int batch;
        private final WeightMatrix w;
        private final int from, to, chunk;

        BatchRowTask(float[][] out, float[][] x, int batch, WeightMatrix w, int from, int to, int chunk) {
            this.out = out;
            this.x = x;
            this.batch = batch;
            this.w = w;
            this.from = from;
            this.to = to;
            this.chunk = chunk;
        }

        @Override
        protected void compute() {
            if (to - from <= chunk) {
                w.matmulBatch(out, x, batch, from, to);
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new BatchRowTask(out, x, batch, w, from, mid, chunk), new BatchRowTask(out, x, batch, w, mid, to, chunk));
        }
    }

    private static final class RowTask extends RecursiveAction {
        private final float[] out, x;
        private final WeightMatrix w;
        private final int from, to, chunk;

        RowTask(float[] out, float[] x, WeightMatrix w, int from, int to, int chunk) {
            this.out = out;
            this.x = x;
            this.w = w;
            this.from = from;
            this.to = to;
            this.chunk = chunk;
        }

        @Override
        protected void compute() {
            if (to - from <= chunk) {
                w.matmul(out, x, from, to);
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new RowTask(out, x, w, from, mid, chunk), new RowTask(out, x, w, mid, to, chunk));
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
