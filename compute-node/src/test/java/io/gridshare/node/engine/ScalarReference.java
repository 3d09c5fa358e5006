package io.gridshare.node.engine;

import io.gridshare.node.model.LlamaCheckpoint;
import io.gridshare.node.model.LlamaConfig;

/**
 * A plain scalar Llama-2 forward pass written line by line after llama2.c's run.c (weights copied
 * to arrays, position-major KV cache, one loop per formula): the yardstick for the Vector API path.
 */
final class ScalarReference {

    final LlamaConfig c;
    final float[] embedding, rmsAtt, wq, wk, wv, wo, rmsFfn, w1, w2, w3, rmsFinal, wcls;
    final float[] keyCache, valueCache;

    ScalarReference(LlamaCheckpoint ck) {
        c = ck.config();
        embedding = LlamaCheckpoint.toFloats(ck.tokenEmbedding());
        rmsAtt = LlamaCheckpoint.toFloats(ck.allLayers("rms_att"));
        wq = LlamaCheckpoint.toFloats(ck.allLayers("wq"));
        wk = LlamaCheckpoint.toFloats(ck.allLayers("wk"));
        wv = LlamaCheckpoint.toFloats(ck.allLayers("wv"));
        wo = LlamaCheckpoint.toFloats(ck.allLayers("wo"));
        rmsFfn = LlamaCheckpoint.toFloats(ck.allLayers("rms_ffn"));
        w1 = LlamaCheckpoint.toFloats(ck.allLayers("w1"));
        w2 = LlamaCheckpoint.toFloats(ck.allLayers("w2"));
        w3 = LlamaCheckpoint.toFloats(ck.allLayers("w3"));
        rmsFinal = LlamaCheckpoint.toFloats(ck.rmsFinal());
        wcls = LlamaCheckpoint.toFloats(ck.classifier());
        keyCache = new float[c.layers() * c.seqLen() * c.kvDim()];
        valueCache = new float[keyCache.length];
    }

    static void rmsnorm(float[] o, float[] x, float[] w, int wOff, int n) {
        double ss = 0;
        for (int j = 0; j < n; j++) {
            ss += x[j] * x[j];
        }
        float scale = (float) (1.0 / Math.sqrt(ss / n + 1e-5));
        for (int j = 0; j < n; j++) {
            o[j] = w[wOff + j] * (scale * x[j]);
        }
    }

    static void matmul(float[] out, float[] x, float[] w, long wOff, int rows, int cols) {
        for (int i = 0; i < rows; i++) {
            double val = 0;
            for (int j = 0; j < cols; j++) {
                val += w[(int) (wOff + (long) i * cols + j)] * (double) x[j];
            }
            out[i] = (float) val;
        }
    }

    static void softmax(float[] x, int off, int n) {
        float max = x[off];
        for (int i = 1; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            x[off + i] = (float) Math.exp(x[off + i] - max);
            sum += x[off + i];
        }
        for (int i = 0; i < n; i++) {
            x[off + i] = (float) (x[off + i] / sum);
        }
    }

    static void rope(float[] q, float[] k, int dim, int kvDim, int headSize, int pos) {
        for (int i = 0; i < dim; i += 2) {
            int headDim = i % headSize;
            double freq = 1.0 / Math.pow(10000.0, headDim / (double) headSize);
            double val = pos * freq;
            double fcr = Math.cos(val), fci = Math.sin(val);
            int rotn = i < kvDim ? 2 : 1;
            for (int v = 0; v < rotn; v++) {
                float[] vec = v == 0 ? q : k;
                float v0 = vec[i], v1 = vec[i + 1];
                vec[i] = (float) (v0 * fcr - v1 * fci);
                vec[i + 1] = (float) (v0 * fci + v1 * fcr);
            }
        }
    }

    /** Causal attention of all heads at {@code pos} over a position-major cache layer. */
    static void attention(float[] out, float[] q, float[] keys, float[] values, int layerOff, LlamaConfig c, int pos) {
        int hs = c.headSize(), kvDim = c.kvDim();
        float[] att = new float[pos + 1];
        for (int h = 0; h < c.heads(); h++) {
            for (int t = 0; t <= pos; t++) {
                int k = layerOff + t * kvDim + (h / c.kvMul()) * hs;
                double score = 0;
                for (int i = 0; i < hs; i++) {
                    score += q[h * hs + i] * (double) keys[k + i];
                }
                att[t] = (float) (score / Math.sqrt(hs));
            }
            softmax(att, 0, pos + 1);
            for (int i = 0; i < hs; i++) {
                double acc = 0;
                for (int t = 0; t <= pos; t++) {
                    acc += att[t] * (double) values[layerOff + t * kvDim + (h / c.kvMul()) * hs + i];
                }
                out[h * hs + i] = (float) acc;
            }
        }
    }

    static void swiglu(float[] hb, float[] hb2, int n) {
        for (int i = 0; i < n; i++) {
            double v = hb[i];
            hb[i] = (float) (v / (1 + Math.exp(-v)) * hb2[i]);
        }
    }

    float[] forward(int token, int pos) {
        int dim = c.dim(), kvDim = c.kvDim(), hidden = c.hiddenDim();
        float[] x = new float[dim], xb = new float[dim], xb2 = new float[dim], q = new float[dim];
        float[] k = new float[kvDim], v = new float[kvDim], hb = new float[hidden], hb2 = new float[hidden];
        System.arraycopy(embedding, token * dim, x, 0, dim);
        for (int l = 0; l < c.layers(); l++) {
            rmsnorm(xb, x, rmsAtt, l * dim, dim);
            matmul(q, xb, wq, (long) l * dim * dim, dim, dim);
            matmul(k, xb, wk, (long) l * dim * kvDim, kvDim, dim);
            matmul(v, xb, wv, (long) l * dim * kvDim, kvDim, dim);
            rope(q, k, dim, kvDim, c.headSize(), pos);
            int layerOff = l * c.seqLen() * kvDim;
            System.arraycopy(k, 0, keyCache, layerOff + pos * kvDim, kvDim);
            System.arraycopy(v, 0, valueCache, layerOff + pos * kvDim, kvDim);
            attention(xb, q, keyCache, valueCache, layerOff, c, pos);
            matmul(xb2, xb, wo, (long) l * dim * dim, dim, dim);
            for (int i = 0; i < dim; i++) {
                x[i] += xb2[i];
            }
            rmsnorm(xb, x, rmsFfn, l * dim, dim);
            matmul(hb, xb, w1, (long) l * dim * hidden, hidden, dim);
            matmul(hb2, xb, w3, (long) l * dim * hidden, hidden, dim);
            swiglu(hb, hb2, hidden);
            matmul(xb, hb, w2, (long) l * hidden * dim, dim, hidden);
            for (int i = 0; i < dim; i++) {
                x[i] += xb[i];
            }
        }
        rmsnorm(x, x, rmsFinal, 0, dim);
        float[] logits = new float[c.vocabSize()];
        matmul(logits, x, wcls, 0, c.vocabSize(), dim);
        return logits;
    }
}
