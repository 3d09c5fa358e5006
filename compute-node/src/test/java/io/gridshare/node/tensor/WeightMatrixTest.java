package io.gridshare.node.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WeightMatrixTest {

    /**
     * Relative RMSE bounds for Gaussian weights, a little above what the reference quantizers
     * reach on them (measured: F16 0.0002, BF16 0.0016, Q8_0 0.0054, Q6_K 0.018, Q5_K 0.036,
     * Q4_K 0.072, Q4_0 0.088; a 4-bit uniform grid over +-2 sigma alone costs about 0.075).
     */
    private static final Map<GgmlType, Double> RMSE_BOUND = Map.of(
            GgmlType.F32, 0.0, GgmlType.F16, 0.0005, GgmlType.BF16, 0.003, GgmlType.Q8_0, 0.01,
            GgmlType.Q6_K, 0.02, GgmlType.Q5_K, 0.04, GgmlType.Q4_K, 0.08, GgmlType.Q4_0, 0.09);

    private static float[] gaussian(int n, long seed) {
        return gaussian(n, seed, true);
    }

    private static float[] gaussian(int n, long seed, boolean outliers) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            // Box-Muller, with an occasional outlier as real weight rows have
            double g = Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble());
            v[i] = (float) (0.02 * g * (outliers && rnd.nextInt(64) == 0 ? 4 : 1));
        }
        return v;
    }

    private static WeightMatrix matrix(GgmlType type, float[] values, int rows, int cols) {
        byte[] bytes = GgmlQuantizer.quantize(type, values, cols);
        return WeightMatrices.of(type, MemorySegment.ofArray(bytes), rows, cols);
    }

    private static int block(GgmlType type) {
        return type.quantized() ? type.blockElements() : 32;
    }

    @ParameterizedTest
    @EnumSource(GgmlType.class)
    void quantizingThenDequantizingStaysWithinTheTypesErrorBound(GgmlType type) {
        int rows = 5, cols = 4 * 256;
        float[] w = gaussian(rows * cols, 1, false);
        WeightMatrix m = matrix(type, w, rows, cols);
        float[] back = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            m.dequantizeRow(r, back, r * cols);
        }
        double err = 0, ref = 0;
        for (int i = 0; i < w.length; i++) {
            err += (w[i] - back[i]) * (double) (w[i] - back[i]);
            ref += w[i] * (double) w[i];
        }
        double relRmse = Math.sqrt(err / ref);
        assertThat(relRmse).as("relative RMSE of %s", type).isLessThanOrEqualTo(RMSE_BOUND.get(type));
        if (type.quantized()) {
            assertThat(relRmse).as("a quantized type loses something").isGreaterThan(0);
        }
    }

    @ParameterizedTest
    @EnumSource(GgmlType.class)
    void matmulEqualsTheDotProductWithTheDequantizedRowsForOddRowCountsAndSubRanges(GgmlType type) {
        for (int blocks : new int[] {1, 2, 3, 7}) {
            int cols = blocks * block(type), rows = 7;
            WeightMatrix m = matrix(type, gaussian(rows * cols, blocks), rows, cols);
            float[] x = gaussian(cols + 3, 100 + blocks); // longer than cols: only the first cols count
            float[] xm = multipliedActivation(m, x);
            int[][] ranges = {{0, rows}, {1, 4}, {3, 4}, {2, 7}, {5, 5}};
            for (int[] range : ranges) {
                float[] out = new float[rows];
                java.util.Arrays.fill(out, Float.NaN);
                m.matmul(out, x, range[0], range[1]);
                float[] row = new float[cols];
                for (int r = 0; r < rows; r++) {
                    if (r < range[0] || r >= range[1]) {
                        assertThat(out[r]).as("row %d outside [%d, %d) untouched", r, range[0], range[1]).isNaN();
                        continue;
                    }
                    m.dequantizeRow(r, row, 0);
                    double dot = 0, mag = 0;
                    for (int c = 0; c < cols; c++) {
                        dot += (double) row[c] * xm[c];
                        mag += Math.abs((double) row[c] * xm[c]);
                    }
                    assertThat((double) out[r]).as("%s row %d of %dx%d", type, r, rows, cols)
                            .isCloseTo(dot, org.assertj.core.data.Offset.offset(1e-5 * mag + 1e-30));
                }
            }
        }
    }

    /**
     * The activation the kernel multiplies with: {@code x} itself for the float kernels, its int8
     * quantization ({@link Q8Activation}) for the int8 kernels, as in llama.cpp. Against that the
     * product is exact up to float rounding; {@link Q8ActivationTest} bounds the distance to {@code x}.
     */
    static float[] multipliedActivation(WeightMatrix m, float[] x) {
        if (!(m instanceof Q8BlockMatrix)) {
            return x;
        }
        Q8Activation a = Q8Activation.quantized(x, m.cols(), ((Q8BlockMatrix) m).activationBlock());
        float[] xm = new float[m.cols()];
        for (int c = 0; c < xm.length; c++) {
            xm[c] = a.value(c);
        }
        return xm;
    }

    @ParameterizedTest
    @EnumSource(GgmlType.class)
    void matmulGivesTheSameBitsOnEveryCallWhileTheJitCompilesIt(GgmlType type) {
        int rows = 3, cols = 2 * block(type) + (type.quantized() ? 0 : 5);
        WeightMatrix m = matrix(type, gaussian(rows * cols, 9), rows, cols);
        float[] x = gaussian(cols, 10);
        float[] first = new float[rows], out = new float[rows];
        m.matmul(first, x, 0, rows);
        for (int i = 0; i < 20_000; i++) {
            m.matmul(out, x, 0, rows);
            for (int r = 0; r < rows; r++) {
                if (Float.floatToRawIntBits(out[r]) != Float.floatToRawIntBits(first[r])) {
                    throw new AssertionError(type + " row " + r + " changed on call " + i + ": " + first[r] + " -> "
                            + out[r]);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void columnsThatAreNotWholeBlocksAreRejected(GgmlType type) {
        int cols = type.blockElements() + 16;
        assertThatThrownBy(() -> WeightMatrices.of(type, MemorySegment.ofArray(new byte[1024]), 2, cols))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(cols))
                .hasMessageContaining(String.valueOf(type.blockElements()));
    }

    @ParameterizedTest
    @EnumSource(GgmlType.class)
    void dataOfTheWrongSizeIsRejectedNamingBothSizes(GgmlType type) {
        int rows = 3, cols = block(type);
        long expected = rows * type.bytesFor(cols);
        MemorySegment data = MemorySegment.ofArray(new byte[(int) expected - 1]);
        assertThatThrownBy(() -> WeightMatrices.of(type, data, rows, cols))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(expected + " bytes")
                .hasMessageContaining((expected - 1) + " bytes")
                .hasMessageContaining(type.name());
    }
}
