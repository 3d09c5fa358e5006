package io.gridshare.node.engine.cpu;

import io.gridshare.node.engine.StepBatch;
import io.gridshare.node.model.LlamaConfig;

/**
 * The forward pass of a whole step on the CPU: every matrix product takes all rows of the step at
 * once ({@link io.gridshare.node.tensor.WeightMatrix#matmulBatch}), so each weight is read once per
 * step; the per-position parts (RoPE, the KV cache write, attention) run row by row in the step's
 * order, after all rows of a layer have written their keys and values. Each row's arithmetic is the
 * same as {@link CpuBackend#forward}'s, so its logits are too. The workspace grows with the largest
 * step seen and is reused; only the engine's step thread calls {@link #run}.
 */
final class BatchForward {

    private final CpuBackend m;
    private final LlamaConfig c;
    private float[][] x, xb, xb2, hb, hb2, q, k, v, finalX, finalLogits;
    private final float[] att, acc;
    private int capacity;

    BatchForward(CpuBackend backend) {
        this.m = backend;
        this.c = backend.c;
        this.att = new float[c.heads() * c.seqLen()];
        this.acc = new float[c.headSize() * VectorKernels.lanes()];
    }

    private void ensure(int rows) {
        if (rows <= capacity) {
            return;
        }
        int n = Math.max(rows, capacity * 2);
        x = new float[n][c.dim()];
        xb = new float[n][c.dim()];
        xb2 = new float[n][c.dim()];
        hb = new float[n][c.hiddenDim()];
        hb2 = new float[n][c.hiddenDim()];
        q = new float[n][c.dim()];
        k = new float[n][c.kvDim()];
        v = new float[n][c.kvDim()];
        finalX = new float[n][];
        finalLogits = new float[n][];
        capacity = n;
    }

    void run(StepBatch batch) {
        int rows = batch.count();
        ensure(rows);
        int dim = c.dim(), hidden = c.hiddenDim(), kvDim = c.kvDim();
        for (int i = 0; i < rows; i++) {
            m.embedding.dequantizeRow(batch.token(i), x[i], 0);
        }
        for (int l = 0; l < c.layers(); l++) {
            for (int i = 0; i < rows; i++) {
                VectorKernels.rmsnorm(xb[i], x[i], m.rmsAtt[l], dim, m.eps);
            }
            m.matmulBatch(q, xb, rows, m.wq[l], dim);
            m.matmulBatch(k, xb, rows, m.wk[l], kvDim);
            m.matmulBatch(v, xb, rows, m.wv[l], kvDim);
            for (int i = 0; i < rows; i++) {
                CpuBackend.addBias(q[i], m.bq[l]);
                CpuBackend.addBias(k[i], m.bk[l]);
                CpuBackend.addBias(v[i], m.bv[l]);
                int pos = batch.position(i);
                m.rope.apply(q[i], dim, pos);
                m.rope.apply(k[i], kvDim, pos);
                CpuSlot s = (CpuSlot) batch.slot(i);
                if (l == 0) {
                    s.reach(pos);
                }
                m.store(s, l, pos, k[i], v[i]);
            }
            for (int i = 0; i < rows; i++) {
                m.attention(xb[i], q[i], (CpuSlot) batch.slot(i), l, att, acc, batch.position(i));
            }
            m.matmulBatch(xb2, xb, rows, m.wo[l], dim);
            for (int i = 0; i < rows; i++) {
                add(x[i], xb2[i], dim);
                VectorKernels.rmsnorm(xb[i], x[i], m.rmsFfn[l], dim, m.eps);
            }
            m.matmulBatch(hb, xb, rows, m.w1[l], hidden);
            m.matmulBatch(hb2, xb, rows, m.w3[l], hidden);
            for (int i = 0; i < rows; i++) {
                VectorKernels.swiglu(hb[i], hb2[i], hidden);
            }
            m.matmulBatch(xb, hb, rows, m.w2[l], dim);
            for (int i = 0; i < rows; i++) {
                add(x[i], xb[i], dim);
            }
        }
        // the classifier is the largest product: only rows whose logits the engine wants
        int wanted = 0;
        for (int i = 0; i < rows; i++) {
            float[] out = batch.logits(i);
            if (out != null) {
                VectorKernels.rmsnorm(x[i], x[i], m.rmsFinal, dim, m.eps);
                finalX[wanted] = x[i];
                finalLogits[wanted] = out;
                wanted++;
            }
        }
        if (wanted > 0) {
            m.matmulBatch(finalLogits, finalX, wanted, m.classifier, c.vocabSize());
        }
        for (int i = 0; i < wanted; i++) {
            finalX[i] = null;
            finalLogits[i] = null;
        }
    }

    private static void add(float[] x, float[] delta, int n) {
        for (int i = 0; i < n; i++) {
            x[i] += delta[i];
        }
    }
}
