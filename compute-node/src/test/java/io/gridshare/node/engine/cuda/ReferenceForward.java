package io.gridshare.node.engine.cuda;

import io.gridshare.node.model.ArchitectureParams;
import io.gridshare.node.model.LlamaConfig;
import io.gridshare.node.model.TransformerModel;
import io.gridshare.node.tensor.WeightMatrix;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * A plain scalar forward pass over any {@link TransformerModel}, written from the model's
 * definition (RMSNorm, q/k/v with optional biases, RoPE of the model's style, grouped-query causal
 * attention, SwiGLU, classifier), with double accumulation: the oracle of the CUDA tests. Matrices
 * are dequantized once, on first use, with {@link WeightMatrix#dequantizeRow}. One sequence, positions in order.
 */
final class ReferenceForward {

    private final TransformerModel model;
    private final LlamaConfig c;
    private final ArchitectureParams p;
    private final float[][] keys, values; // [layer][pos * kvDim + i]
    /** Each matrix dequantized on first use. */
    private final Map<WeightMatrix, float[][]> dequantized = new IdentityHashMap<>();

    ReferenceForward(TransformerModel model) {
        this.model = model;
        this.c = model.config();
        this.p = model.params();
        keys = new float[c.layers()][c.seqLen() * c.kvDim()];
        values = new float[c.layers()][c.seqLen() * c.kvDim()];
    }

    /** Logits of {@code token} at {@code pos}; positions 0..pos-1 were fed before. */
    float[] forward(int token, int pos) {
        int dim = c.dim(), kvDim = c.kvDim(), hs = c.headSize();
        float[] x = new float[dim];
        model.tokenEmbedding().dequantizeRow(token, x, 0);
        for (int l = 0; l < c.layers(); l++) {
            float[] xb = rmsnorm(x, model.attentionNorm(l));
            float[] q = matmul(model.wq(l), xb, model.bq(l));
            float[] k = matmul(model.wk(l), xb, model.bk(l));
            float[] v = matmul(model.wv(l), xb, model.bv(l));
            rope(q, pos);
            rope(k, pos);
            System.arraycopy(k, 0, keys[l], pos * kvDim, kvDim);
            System.arraycopy(v, 0, values[l], pos * kvDim, kvDim);
            float[] att = new float[dim];
            for (int h = 0; h < c.heads(); h++) {
                int kvHead = h / (c.heads() / c.kvHeads());
                double[] scores = new double[pos + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int t = 0; t <= pos; t++) {
                    double s = 0;
                    for (int i = 0; i < hs; i++) {
                        s += (double) q[h * hs + i] * keys[l][t * kvDim + kvHead * hs + i];
                    }
                    scores[t] = s / Math.sqrt(hs);
                    max = Math.max(max, scores[t]);
                }
                double sum = 0;
                for (int t = 0; t <= pos; t++) {
                    scores[t] = Math.exp(scores[t] - max);
                    sum += scores[t];
                }
                for (int i = 0; i < hs; i++) {
                    double acc = 0;
                    for (int t = 0; t <= pos; t++) {
                        acc += scores[t] / sum * values[l][t * kvDim + kvHead * hs + i];
                    }
                    att[h * hs + i] = (float) acc;
                }
            }
            add(x, matmul(model.wo(l), att, null));
            xb = rmsnorm(x, model.ffnNorm(l));
            float[] gate = matmul(model.ffnGate(l), xb, null);
            float[] up = matmul(model.ffnUp(l), xb, null);
            for (int i = 0; i < gate.length; i++) {
                double g = gate[i];
                gate[i] = (float) (g / (1 + Math.exp(-g)) * up[i]);
            }
            add(x, matmul(model.ffnDown(l), gate, null));
        }
        return matmul(model.output(), rmsnorm(x, model.outputNorm()), null);
    }

    private float[] rmsnorm(float[] x, float[] w) {
        double ss = 0;
        for (float v : x) {
            ss += (double) v * v;
        }
        double scale = 1 / Math.sqrt(ss / x.length + p.normEps());
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) (w[i] * x[i] * scale);
        }
        return out;
    }

    private float[] matmul(WeightMatrix m, float[] x, float[] bias) {
        float[][] rows = dequantized.computeIfAbsent(m, ReferenceForward::dequantize);
        float[] out = new float[m.rows()];
        for (int r = 0; r < m.rows(); r++) {
            float[] row = rows[r];
            double sum = bias == null ? 0 : bias[r];
            for (int i = 0; i < row.length; i++) {
                sum += (double) row[i] * x[i];
            }
            out[r] = (float) sum;
        }
        return out;
    }

    private static float[][] dequantize(WeightMatrix m) {
        float[][] rows = new float[m.rows()][m.cols()];
        for (int r = 0; r < m.rows(); r++) {
            m.dequantizeRow(r, rows[r], 0);
        }
        return rows;
    }

    /** Rotates pair j of every head by pos * theta^(-2j / ropeDims) / factor[j]. */
    private void rope(float[] vec, int pos) {
        int hs = c.headSize(), half = p.ropeDims() / 2;
        for (int head = 0; head < vec.length / hs; head++) {
            for (int j = 0; j < half; j++) {
                double freq = Math.pow(p.ropeTheta(), -2.0 * j / p.ropeDims());
                if (p.ropeFreqFactors() != null) {
                    freq /= p.ropeFreqFactors()[j];
                }
                double angle = pos * freq;
                int i0 = head * hs + (p.ropeStyle() == ArchitectureParams.RopeStyle.NEOX ? j : 2 * j);
                int i1 = p.ropeStyle() == ArchitectureParams.RopeStyle.NEOX ? i0 + half : i0 + 1;
                double a = vec[i0], b = vec[i1];
                vec[i0] = (float) (a * Math.cos(angle) - b * Math.sin(angle));
                vec[i1] = (float) (a * Math.sin(angle) + b * Math.cos(angle));
            }
        }
    }

    private static void add(float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) {
            x[i] += y[i];
        }
    }
}
