package io.gridshare.node.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Attention over a paged KV cache: scores and weighted sums walk a job's block table, one block of
 * {@link KvBlockPool#BLOCK} positions at a time. Each position's score and each lane's running sum
 * see exactly the operations, in the order, that {@link VectorKernels#attentionScores} and
 * {@link VectorKernels#dot} apply along a contiguous cache (the same positions vectorised, the same
 * fused multiply-adds per lane, the same scalar tail), so the paged cache gives the same bits. That
 * holds while the vector length divides the block length (4, 8 or 16 float lanes).
 */
final class BlockKernels {

    private static final VectorSpecies<Float> SPECIES = VectorKernels.SPECIES;
    private static final int LANES = SPECIES.length();
    private static final int B = KvBlockPool.BLOCK;

    private BlockKernels() {}

    /**
     * {@code att[ao + t] = q[qo, qo + headSize) . k(t) / scale} for {@code t < n}, where dimension
     * {@code d} of position {@code t}'s key is {@code blocks[t / B][offsets[t / B] + kOff + d * B + t % B]}.
     */
    static void scores(float[] att, int ao, float[] q, int qo, float[][] blocks, int[] offsets, int kOff,
                       int headSize, int n, float scale) {
        for (int b = 0, t0 = 0; t0 < n; b++, t0 += B) {
            float[] k = blocks[b];
            int base = offsets[b] + kOff;
            int m = Math.min(B, n - t0);
            int vecEnd = m - m % LANES;
            int t = 0;
            for (; t < vecEnd; t += LANES) {
                FloatVector acc = FloatVector.zero(SPECIES);
                for (int d = 0; d < headSize; d++) {
                    acc = FloatVector.fromArray(SPECIES, k, base + d * B + t).fma(FloatVector.broadcast(SPECIES, q[qo + d]), acc);
                }
                acc.div(scale).intoArray(att, ao + t0 + t);
            }
            for (; t < m; t++) {
                float sc = 0f;
                for (int d = 0; d < headSize; d++) {
                    sc += q[qo + d] * k[base + d * B + t];
                }
                att[ao + t0 + t] = sc / scale;
            }
        }
    }

    /**
     * {@code out[oo + d] = sum_t att[ao + t] * v_d(t)} for {@code d < headSize}, {@code t < n}, with
     * values laid out as keys are in {@link #scores} (at {@code vOff}). {@code acc} holds
     * {@code headSize * lanes} floats of scratch: each dimension's vector accumulator between blocks.
     */
    static void weightedSum(float[] out, int oo, float[] att, int ao, float[][] blocks, int[] offsets, int vOff,
                            int headSize, int n, float[] acc) {
        int vecEnd = n - n % LANES;
        java.util.Arrays.fill(acc, 0, headSize * LANES, 0f);
        for (int b = 0, t0 = 0; t0 < vecEnd; b++, t0 += B) {
            float[] v = blocks[b];
            int base = offsets[b] + vOff;
            int m = Math.min(B, vecEnd - t0);
            for (int d = 0; d < headSize; d++) {
                FloatVector a = FloatVector.fromArray(SPECIES, acc, d * LANES);
                for (int t = 0; t < m; t += LANES) {
                    a = FloatVector.fromArray(SPECIES, att, ao + t0 + t).fma(FloatVector.fromArray(SPECIES, v, base + d * B + t), a);
                }
                a.intoArray(acc, d * LANES);
            }
        }
        for (int d = 0; d < headSize; d++) {
            float s = n >= LANES ? VectorKernels.sum(FloatVector.fromArray(SPECIES, acc, d * LANES)) : 0f;
            for (int t = vecEnd; t < n; t++) {
                int b = t / B;
                s += att[ao + t] * blocks[b][offsets[b] + vOff + d * B + t % B];
            }
            out[oo + d] = s;
        }
    }
}
