package io.gridshare.node.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class Q8ActivationTest {

    private static float[] random(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextGaussian() * (rnd.nextInt(16) == 0 ? 8 : 1));
        }
        return x;
    }

    @Test
    void eachValueIsWithinHalfAStepOfItsBlocksScale() {
        float[] x = random(256, 1);
        x[40] = 0; // a zero stays zero
        Q8Activation a = Q8Activation.quantized(x, 256);
        for (int b = 0; b < 8; b++) {
            float amax = 0;
            for (int i = 32 * b; i < 32 * b + 32; i++) {
                amax = Math.max(amax, Math.abs(x[i]));
            }
            assertThat(a.d[b]).isEqualTo(amax / 127f);
            long sum = 0;
            for (int i = 32 * b; i < 32 * b + 32; i++) {
                assertThat(Math.abs(a.q[i])).isLessThanOrEqualTo((short) 127);
                assertThat((double) Math.abs(a.value(i) - x[i])).as("x[%d]", i)
                        .isLessThanOrEqualTo(a.d[b] * 0.5000001 + Math.ulp(x[i]));
                sum += a.q[i];
            }
            assertThat(a.sum[b]).isEqualTo(a.d[b] * sum);
        }
        assertThat(a.value(40)).isZero();
    }

    @Test
    void perBlockOf256OneScaleCoversTheBlockAndTheIntegerSumsCoverEach32() {
        float[] x = random(512, 4);
        Q8Activation a = Q8Activation.quantized(x, 512, Q8Activation.QK_K);
        for (int b = 0; b < 2; b++) {
            float amax = 0;
            for (int i = 256 * b; i < 256 * b + 256; i++) {
                amax = Math.max(amax, Math.abs(x[i]));
            }
            assertThat(a.d[b]).isEqualTo(amax / 127f);
            for (int i = 256 * b; i < 256 * b + 256; i++) {
                assertThat((double) Math.abs(a.value(i) - x[i])).as("x[%d]", i)
                        .isLessThanOrEqualTo(a.d[b] * 0.5000001 + Math.ulp(x[i]));
            }
        }
        for (int s = 0; s < 16; s++) {
            int sum = 0;
            for (int i = 32 * s; i < 32 * s + 32; i++) {
                sum += a.q[i];
            }
            assertThat(a.isum[s]).as("sum of the 32 values from %d", 32 * s).isEqualTo(sum);
        }
    }

    @Test
    void aBlockOfZerosHasScaleZeroAndANonFiniteValueMakesItsBlockNaN() {
        float[] x = random(96, 2);
        java.util.Arrays.fill(x, 0, 32, 0f);
        x[70] = Float.POSITIVE_INFINITY;
        Q8Activation a = Q8Activation.quantized(x, 96);
        assertThat(a.d[0]).isZero();
        assertThat(a.value(5)).isZero();
        assertThat(a.d[2]).isNaN();
        assertThat(a.d[1]).isFinite();
    }

    @Test
    void theThreadsScratchIsRequantizedWhenTheSameArrayChangesInPlace() {
        float[] x = random(64, 3);
        Q8Activation first = Q8Activation.of(x, 64);
        short q0 = first.q[0];
        x[0] = -x[0] * 2;
        Q8Activation second = Q8Activation.of(x, 64);
        assertThat(second.q[0]).isEqualTo(Q8Activation.quantized(x, 64).q[0]).isNotEqualTo(q0);
    }

    /**
     * Against the exact float product the int8 kernels lose at most half a quantization step of
     * each activation value times the weight it meets: {@code sum |w_i| * d_block(i) / 2}.
     */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_K"})
    void theProductDiffersFromTheExactOneByAtMostHalfAStepPerWeight(GgmlType type) {
        int rows = 4, cols = 512;
        float[] w = random(rows * cols, 4);
        for (int i = 0; i < w.length; i++) {
            w[i] *= 0.02f;
        }
        WeightMatrix m = WeightMatrices.of(type, MemorySegment.ofArray(GgmlQuantizer.quantize(type, w, cols)), rows, cols);
        assertThat(m).isInstanceOf(Q8BlockMatrix.class);
        float[] x = random(cols, 5);
        Q8Activation a = Q8Activation.quantized(x, cols);
        float[] out = new float[rows], row = new float[cols];
        m.matmul(out, x, 0, rows);
        for (int r = 0; r < rows; r++) {
            m.dequantizeRow(r, row, 0);
            double exact = 0, bound = 0;
            for (int c = 0; c < cols; c++) {
                exact += (double) row[c] * x[c];
                bound += Math.abs((double) row[c]) * (a.d[c / 32] / 2 + 1e-6 * Math.abs(x[c]));
            }
            assertThat((double) out[r]).as("%s row %d", type, r).isCloseTo(exact, org.assertj.core.data.Offset.offset(bound));
            assertThat(Math.abs(out[r] - exact)).as("quantizing x does cost something").isGreaterThan(0);
        }
    }
}
