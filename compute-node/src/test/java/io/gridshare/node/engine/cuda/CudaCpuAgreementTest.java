package io.gridshare.node.engine.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gridshare.node.engine.BackendSlot;
import io.gridshare.node.engine.EngineConfig;
import io.gridshare.node.engine.ForwardBackend;
import io.gridshare.node.engine.cpu.CpuBackend;
import io.gridshare.node.model.Llama2cModel;
import io.gridshare.node.model.LlamaCheckpoint;
import java.nio.file.Path;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * CPU and CUDA logits agree on random models at every position of the context. Tolerance: max
 * absolute difference {@value #TOLERANCE} per logit (the two backends sum dot products in a
 * different order, so bit equality is not expected).
 */
class CudaCpuAgreementTest {

    static final float TOLERANCE = 1e-3f;

    @TempDir
    Path dir;

    @BeforeEach
    void needsGpu() {
        Optional<String> noGpu = CudaTestModels.noGpuReason();
        assumeTrue(noGpu.isEmpty(), () -> "CPU-vs-CUDA agreement skipped: " + noGpu.orElse(""));
    }

    @ParameterizedTest(name = "dim {0}, hidden {1}, layers {2}, heads {3}/{4} kv, vocab {5}, seq {6}")
    @DisplayName("CPU and CUDA logits agree within 1e-3 at every position")
    @CsvSource({
            // grouped KV heads, unshared classifier, hidden not a multiple of 4 (scalar dot path)
            "48, 170, 2, 6, 2, -97, 40",
            // multi-head without grouping, shared classifier, float4 path everywhere
            "128, 256, 3, 4, 4, 256, 64",
            // one KV head for all queries, head size 32
            "96, 384, 2, 3, 1, 300, 300"
    })
    void logitsAgree(int dim, int hidden, int layers, int heads, int kvHeads, int vocab, int seqLen) throws Exception {
        Path file = CudaTestModels.randomCheckpoint(dir, dim, hidden, layers, heads, kvHeads, vocab, seqLen, 42);
        EngineConfig config = new EngineConfig(1, EngineConfig.Backend.CUDA, 0, 1, 0);
        try (LlamaCheckpoint checkpoint = LlamaCheckpoint.open(file);
             ForwardBackend cpu = new CpuBackend(new Llama2cModel(checkpoint), config.withBackend(EngineConfig.Backend.CPU), "test");
             ForwardBackend cuda = new CudaBackendFactory().create(new Llama2cModel(checkpoint), config);
             BackendSlot cpuSlot = cpu.allocateSlot();
             BackendSlot cudaSlot = cuda.allocateSlot()) {
            int v = Math.abs(vocab);
            float[] expected = new float[v];
            float[] actual = new float[v];
            SplittableRandom tokens = new SplittableRandom(7);
            float worst = 0;
            for (int pos = 0; pos < seqLen; pos++) {
                int token = tokens.nextInt(v);
                cpu.forward(cpuSlot, token, pos, expected);
                cuda.forward(cudaSlot, token, pos, actual);
                for (int i = 0; i < v; i++) {
                    float diff = Math.abs(expected[i] - actual[i]);
                    worst = Math.max(worst, diff);
                    assertThat(diff).as("logit %d at position %d (cpu %s, cuda %s)", i, pos, expected[i], actual[i])
                            .isLessThanOrEqualTo(TOLERANCE);
                }
            }
            System.out.printf("CPU vs CUDA, %s: max |logit diff| over %d positions = %.3g%n", file.getFileName(),
                    seqLen, worst);
        }
    }
}
