package io.gridshare.node.engine.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gridshare.node.engine.BackendSlot;
import io.gridshare.node.engine.EngineConfig;
import io.gridshare.node.engine.ForwardBackend;
import io.gridshare.node.model.ArchitectureParams;
import io.gridshare.node.model.ArchitectureParams.RopeStyle;
import io.gridshare.node.model.LlamaConfig;
import io.gridshare.node.tensor.GgmlType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CUDA backend runs GGUF-style models (quantized weights kept quantized, Qwen2 biases, NEOX and
 * adjacent RoPE, partial RoPE, Llama 3 frequency factors, tied and separate classifiers) as the
 * scalar {@link ReferenceForward} does, at every position of the context: logits within
 * {@value #TOLERANCE} times the largest |logit| (at least 1), and the same greedy choice wherever
 * the reference's best two logits are further apart than that.
 */
class CudaGgufModelTest {

    static final float TOLERANCE = 2e-3f;

    @BeforeEach
    void needsGpu() {
        Optional<String> noGpu = CudaTestModels.noGpuReason();
        assumeTrue(noGpu.isEmpty(), () -> "CUDA GGUF model test skipped: " + noGpu.orElse(""));
    }

    static Stream<Arguments> models() {
        LlamaConfig qwen = new LlamaConfig(256, 512, 2, 4, 2, 320, 40, true);
        LlamaConfig llama = new LlamaConfig(512, 768, 2, 8, 2, 300, 40, false);
        LlamaConfig small = new LlamaConfig(96, 160, 2, 3, 1, 200, 40, true);
        float[] factors = new float[llama.headSize() / 2];
        for (int j = 0; j < factors.length; j++) {
            factors[j] = j < factors.length / 2 ? 1f : j < 3 * factors.length / 4 ? 3f : 8f;
        }
        return Stream.of(
                Arguments.of(SyntheticModel.random(qwen, params("qwen2", 1e6f, 1e-6f, RopeStyle.NEOX, 64, null),
                        GgmlType.F16, GgmlType.Q8_0, GgmlType.Q8_0, null, true, 11)),
                Arguments.of(SyntheticModel.random(llama, params("llama", 500000f, 1e-5f, RopeStyle.ADJACENT, 64,
                        factors), GgmlType.Q8_0, GgmlType.Q4_K, GgmlType.Q4_K, GgmlType.F16, false, 12)),
                Arguments.of(SyntheticModel.random(qwen, params("qwen2", 10000f, 1e-6f, RopeStyle.NEOX, 32, null),
                        GgmlType.Q4_K, GgmlType.F16, GgmlType.Q4_K, GgmlType.Q8_0, true, 13)),
                Arguments.of(SyntheticModel.random(small, params("llama", 10000f, 1e-5f, RopeStyle.ADJACENT, 16, null),
                        GgmlType.F32, GgmlType.F32, GgmlType.F16, null, false, 14)));
    }

    private static ArchitectureParams params(String arch, float theta, float eps, RopeStyle style, int dims,
                                             float[] factors) {
        return new ArchitectureParams(arch, theta, eps, style, dims, factors, 4096);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    @DisplayName("CUDA logits follow the reference forward at every position of the context")
    void followsReference(SyntheticModel model) throws Exception {
        try (ForwardBackend cuda = new CudaBackendFactory().create(model, new EngineConfig(1, EngineConfig.Backend.CUDA,
                0, 1, 0)); BackendSlot slot = cuda.allocateSlot()) {
            float worst = run(cuda, slot, model, 1);
            System.out.printf("CUDA vs reference, %s: max |logit diff| / scale = %.3g%n", model, worst);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    @DisplayName("four slots stepping together (batched kernels) each follow the reference")
    void batchedSlotsFollowReference(SyntheticModel model) throws Exception {
        int slots = 4;
        try (ForwardBackend cuda = new CudaBackendFactory().create(model, new EngineConfig(slots,
                EngineConfig.Backend.CUDA, 0, 1, 0))) {
            ExecutorService pool = Executors.newFixedThreadPool(slots);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Float>> jobs = new ArrayList<>();
                for (int s = 0; s < slots; s++) {
                    int first = 1 + s;
                    jobs.add(pool.submit(() -> {
                        start.await();
                        try (BackendSlot slot = cuda.allocateSlot()) {
                            return run(cuda, slot, model, first);
                        }
                    }));
                }
                start.countDown();
                for (Future<Float> job : jobs) {
                    assertThat(job.get()).isLessThanOrEqualTo(TOLERANCE);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /**
     * Feeds the reference's greedy tokens from {@code first} to both; returns the worst scaled
     * logit difference, asserting along the way.
     */
    private static float run(ForwardBackend cuda, BackendSlot slot, SyntheticModel model, int first) {
        ReferenceForward reference = new ReferenceForward(model);
        int vocab = model.config().vocabSize();
        float[] actual = new float[vocab];
        int token = first;
        float worst = 0;
        for (int pos = 0; pos < model.config().seqLen(); pos++) {
            float[] expected = reference.forward(token, pos);
            cuda.forward(slot, token, pos, actual);
            float scale = 1;
            for (float v : expected) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int i = 0; i < vocab; i++) {
                float diff = Math.abs(expected[i] - actual[i]) / scale;
                worst = Math.max(worst, diff);
                assertThat(diff).as("logit %d at position %d of %s (reference %s, cuda %s)", i, pos, model,
                        expected[i], actual[i]).isLessThanOrEqualTo(TOLERANCE);
            }
            int best = CudaTestModels.argmax(expected);
            if (gap(expected, best) > 2 * TOLERANCE * scale) {
                assertThat(CudaTestModels.argmax(actual)).as("greedy token at position %d of %s", pos, model)
                        .isEqualTo(best);
            }
            token = best;
        }
        return worst;
    }

    private static float gap(float[] logits, int best) {
        float second = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < logits.length; i++) {
            if (i != best) {
                second = Math.max(second, logits[i]);
            }
        }
        return logits[best] - second;
    }
}
