package io.gridshare.node.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link WeightMatrix#matmulBatch} must give every activation row exactly the bits
 * {@link WeightMatrix#matmul} gives it alone, whatever the batch size, the row range and the
 * other rows of the batch: a job's tokens may not depend on the jobs it shares a step with.
 */
class WeightMatrixBatchTest {

    private static final int[] BATCHES = {1, 2, 3, 5, 8, 16, 17};

    private static float[] random(int n, SplittableRandom rnd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rnd.nextGaussian() * 0.02 * (rnd.nextInt(64) == 0 ? 8 : 1));
        }
        return v;
    }

    private static WeightMatrix matrix(GgmlType type, int rows, int cols, long seed) {
        byte[] bytes = GgmlQuantizer.quantize(type, random(rows * cols, new SplittableRandom(seed)), cols);
        return WeightMatrices.of(type, MemorySegment.ofArray(bytes), rows, cols);
    }

    /** Columns for a type: several blocks, and for float types a tail that is no whole vector. */
    private static int columns(GgmlType type, int blocks) {
        return type.quantized() ? blocks * type.blockElements() : blocks * 32 + 5;
    }

    private static float[][] activations(int batch, int cols, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][] x = new float[batch][];
        for (int b = 0; b < batch; b++) {
            x[b] = random(cols + b % 3, rnd); // some rows longer than cols: only the first cols count
        }
        return x;
    }

    private static void assertSameBitsAsMatmul(WeightMatrix m, float[][] x, int batch, int from, int to) {
        float[][] out = new float[batch][m.rows()];
        for (float[] row : out) {
            Arrays.fill(row, Float.NaN);
        }
        m.matmulBatch(out, x, batch, from, to);
        for (int b = 0; b < batch; b++) {
            float[] alone = new float[m.rows()];
            Arrays.fill(alone, Float.NaN);
            m.matmul(alone, x[b], from, to);
            for (int r = 0; r < m.rows(); r++) {
                assertThat(Float.floatToRawIntBits(out[b][r]))
                        .as("%s batch %d, activation row %d, matrix row %d of [%d, %d)", m, batch, b, r, from, to)
                        .isEqualTo(Float.floatToRawIntBits(alone[r]));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(GgmlType.class)
    void everyActivationRowGetsTheBitsOfItsOwnMatmulForEveryBatchSizeAndRange(GgmlType type) {
        for (int blocks : new int[] {1, 3}) {
            int rows = 9, cols = columns(type, blocks);
            WeightMatrix m = matrix(type, rows, cols, blocks);
            for (int batch : BATCHES) {
                float[][] x = activations(batch + 2, cols, 31L * batch + blocks); // more rows than the batch
                for (int[] range : new int[][] {{0, rows}, {1, 4}, {3, 4}, {2, 9}, {5, 5}}) {
                    assertSameBitsAsMatmul(m, x, batch, range[0], range[1]);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(GgmlType.class)
    void compiledBatchKernelsKeepTheBitsOfMatmul(GgmlType type) {
        int rows = 3, cols = columns(type, 2), batch = 5;
        WeightMatrix m = matrix(type, rows, cols, 77);
        float[][] x = activations(batch, cols, 78);
        float[][] alone = new float[batch][rows];
        for (int b = 0; b < batch; b++) {
            m.matmul(alone[b], x[b], 0, rows);
        }
        float[][] out = new float[batch][rows];
        for (int i = 0; i < 4_000; i++) {
            m.matmulBatch(out, x, batch, 0, rows);
            for (int b = 0; b < batch; b++) {
                for (int r = 0; r < rows; r++) {
                    if (Float.floatToRawIntBits(out[b][r]) != Float.floatToRawIntBits(alone[b][r])) {
                        throw new AssertionError(type + " activation row " + b + ", matrix row " + r + " on call " + i
                                + ": " + out[b][r] + " instead of " + alone[b][r]);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_K"})
    void anActivationRowChangedInPlaceIsQuantizedAfresh(GgmlType type) {
        int rows = 4, cols = columns(type, 2), batch = 6;
        WeightMatrix m = matrix(type, rows, cols, 5);
        float[][] x = activations(batch, cols, 6);
        m.matmulBatch(new float[batch][rows], x, batch, 0, rows);
        x[4][7] += 0.5f;
        x[1][0] = -x[1][0];
        assertSameBitsAsMatmul(m, x, batch, 0, rows);
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "Q4_K"})
    void batchesLargerThanTheArraysOrShortRowsAreRejectedNamingTheSizes(GgmlType type) {
        int rows = 2, cols = columns(type, 1);
        WeightMatrix m = matrix(type, rows, cols, 1);
        float[][] x = activations(3, cols, 2);
        assertThatThrownBy(() -> m.matmulBatch(new float[4][rows], x, 4, 0, rows))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batch of 4")
                .hasMessageContaining("got 3 and 4");
        x[1] = new float[cols - 1];
        assertThatThrownBy(() -> m.matmulBatch(new float[3][rows], x, 3, 0, rows))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("x[1] has " + (cols - 1))
                .hasMessageContaining(String.valueOf(cols));
        assertThatThrownBy(() -> m.matmulBatch(new float[][] {new float[rows], new float[1]}, activations(2, cols, 3), 2,
                0, rows))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("out[1] has 1");
    }
}
