package io.gridshare.node.engine;

import io.gridshare.node.model.Llama2cModel;
import io.gridshare.node.model.TransformerModel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.gridshare.node.engine.cpu.CpuBackend;
import io.gridshare.node.engine.cpu.VectorKernels;
import io.gridshare.node.model.LlamaCheckpoint;
import io.gridshare.node.model.LlamaConfig;
import io.gridshare.node.model.RandomModelFixture;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Checks each step of the Vector API forward pass against {@link ScalarReference} on random data
 * and random models. Tolerance: |fast - scalar| <= 2e-5 + 2e-5 * |scalar| per step, 1e-4 + 1e-4
 * * |scalar| for whole-model logits (float32 sums in a different order than the double-precision
 * reference).
 */
class CpuBackendTest {

    @TempDir
    Path tmp;

    private final SplittableRandom rnd = new SplittableRandom(42);

    private float[] random(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return a;
    }

    static void assertClose(float[] actual, float[] expected, int n, float tol, String what) {
        for (int i = 0; i < n; i++) {
            float limit = tol + tol * Math.abs(expected[i]);
            if (!(Math.abs(actual[i] - expected[i]) <= limit)) {
                fail(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i] + " within " + limit);
            }
        }
    }

    @ParameterizedTest(name = "{0} x {1}")
    @CsvSource({"1,1", "7,15", "64,64", "33,16", "32,17", "172,64", "64,172", "5,100", "512,64"})
    void matmulOverMappedWeightsMatchesScalarProduct(int rows, int cols) {
        float[] w = random(rows * cols), x = random(cols);
        float[] expected = new float[rows], actual = new float[rows];
        ScalarReference.matmul(expected, x, w, 0, rows, cols);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(4L * w.length);
            MemorySegment.copy(w, 0, seg, LlamaCheckpoint.FLOAT_LE, 0, w.length);
            io.gridshare.node.tensor.WeightMatrices.of(io.gridshare.node.tensor.GgmlType.F32, seg, rows, cols)
                    .matmul(actual, x, 0, rows);
        }
        assertClose(actual, expected, rows, 2e-5f, "matmul");
    }

    @Test
    @DisplayName("exp: within 3e-7 relative of Math.exp, and the vector lanes equal the scalar version bit for bit")
    void expIsAccurateAndTheSameInVectorAndScalarForm() {
        int lanes = VectorKernels.lanes();
        float[] in = new float[lanes * 200], out = new float[in.length];
        for (int i = 0; i < in.length; i++) {
            in[i] = (float) (-90 + 95 * rnd.nextDouble());
        }
        for (int i = 0; i < in.length; i += lanes) {
            VectorKernels.exp(jdk.incubator.vector.FloatVector.fromArray(jdk.incubator.vector.FloatVector.SPECIES_PREFERRED, in, i))
                    .intoArray(out, i);
        }
        for (int i = 0; i < in.length; i++) {
            assertThat(Float.floatToRawIntBits(out[i])).as("lane %d of exp(%s)", i, in[i])
                    .isEqualTo(Float.floatToRawIntBits(VectorKernels.exp(in[i])));
            if (in[i] > -87f) {
                double expected = Math.exp(in[i]);
                assertThat(Math.abs(out[i] - expected) / expected).as("exp(%s)", in[i]).isLessThan(3e-7);
            }
        }
    }

    @Test
    void rmsnormMatchesScalar() {
        float[] x = random(100), w = random(100), expected = new float[100], actual = new float[100];
        ScalarReference.rmsnorm(expected, x, w, 0, 100);
        VectorKernels.rmsnorm(actual, x, w, 100);
        assertClose(actual, expected, 100, 2e-5f, "rmsnorm");
    }

    @Test
    void softmaxMatchesScalarForShortAndLongRows() {
        for (int n : new int[] {1, 5, 16, 37, 256}) {
            float[] x = random(n + 3);
            float[] expected = x.clone();
            ScalarReference.softmax(expected, 3, n);
            VectorKernels.softmax(x, 3, n);
            assertClose(x, expected, n + 3, 2e-5f, "softmax of " + n);
        }
    }

    @Test
    void ropeMatchesScalarAtEveryPosition() {
        int dim = 48, kvDim = 16, headSize = 8, seqLen = 64;
        float[] cos = new float[seqLen * headSize / 2], sin = new float[cos.length];
        VectorKernels.ropeTables(headSize, seqLen, cos, sin);
        for (int pos = 0; pos < seqLen; pos++) {
            float[] q = random(dim), k = random(kvDim);
            float[] eq = q.clone(), ek = k.clone();
            ScalarReference.rope(eq, ek, dim, kvDim, headSize, pos);
            VectorKernels.rope(q, k, dim, kvDim, headSize, cos, sin, pos);
            assertClose(q, eq, dim, 2e-5f, "rope q at " + pos);
            assertClose(k, ek, kvDim, 2e-5f, "rope k at " + pos);
        }
    }

    @Test
    void swigluMatchesScalar() {
        float[] hb = random(100), hb2 = random(100);
        float[] expected = hb.clone();
        ScalarReference.swiglu(expected, hb2, 100);
        VectorKernels.swiglu(hb, hb2, 100);
        assertClose(hb, expected, 100, 2e-5f, "swiglu");
    }

    @Test
    @DisplayName("grouped-query attention over the dimension-major cache matches run.c's position-major attention")
    void attentionMatchesScalar() {
        LlamaConfig c = RandomModelFixture.smallConfig();
        int hs = c.headSize(), kvDim = c.kvDim(), seqLen = c.seqLen();
        for (int pos : new int[] {0, 1, 15, 16, 40, seqLen - 1}) {
            float[] q = random(c.dim());
            float[] keys = random(seqLen * kvDim), values = random(seqLen * kvDim);
            float[] expected = new float[c.dim()];
            ScalarReference.attention(expected, q, keys, values, 0, c, pos);
            float[] kT = new float[keys.length], vT = new float[values.length];
            for (int t = 0; t < seqLen; t++) {
                for (int i = 0; i < kvDim; i++) {
                    kT[i * seqLen + t] = keys[t * kvDim + i];
                    vT[i * seqLen + t] = values[t * kvDim + i];
                }
            }
            float[] att = new float[seqLen], actual = new float[c.dim()];
            for (int h = 0; h < c.heads(); h++) {
                int base = (h / c.kvMul()) * hs * seqLen;
                VectorKernels.attentionScores(att, 0, q, h * hs, kT, base, seqLen, hs, pos + 1, (float) Math.sqrt(hs));
                VectorKernels.softmax(att, 0, pos + 1);
                for (int d = 0; d < hs; d++) {
                    actual[h * hs + d] = VectorKernels.dot(att, 0, vT, base + d * seqLen, pos + 1);
                }
            }
            assertClose(actual, expected, c.dim(), 2e-5f, "attention at " + pos);
        }
    }

    private void assertForwardMatchesScalar(LlamaConfig config, int threads) throws Exception {
        Path file = RandomModelFixture.writeCheckpoint(tmp.resolve("m.bin"), config, 7);
        try (LlamaCheckpoint ck = LlamaCheckpoint.open(file);
             CpuBackend backend = new CpuBackend(new Llama2cModel(ck), EngineConfig.defaults(1).withCpuThreads(threads), "test")) {
            ScalarReference ref = new ScalarReference(ck);
            BackendSlot slot = backend.allocateSlot();
            float[] logits = new float[config.vocabSize()];
            int token = 1;
            for (int pos = 0; pos < config.seqLen(); pos++) {
                backend.forward(slot, token, pos, logits);
                float[] expected = ref.forward(token, pos);
                assertClose(logits, expected, config.vocabSize(), 1e-4f, "logits at position " + pos);
                token = (token * 31 + 7) % config.vocabSize();
            }
        }
    }

    @Test
    @DisplayName("whole forward pass: logits match the scalar reference at every position (GQA, unshared classifier)")
    void forwardMatchesScalarOnGroupedQueryModel() throws Exception {
        assertForwardMatchesScalar(RandomModelFixture.smallConfig(), 1);
    }

    @Test
    void forwardMatchesScalarWithSharedClassifierAndFullHeads() throws Exception {
        assertForwardMatchesScalar(new LlamaConfig(32, 64, 1, 4, 4, 300, 24, true), 1);
    }

    @Test
    @DisplayName("matrices large enough to split over threads give the scalar result too")
    void parallelRowSplitMatchesScalar() throws Exception {
        LlamaConfig big = new LlamaConfig(128, 2048, 1, 8, 4, 400, 8, false);
        assertThat((long) big.dim() * big.hiddenDim()).isGreaterThanOrEqualTo(CpuBackend.PARALLEL_MIN_WEIGHTS);
        assertForwardMatchesScalar(big, 2);
    }
}
