package io.gridshare.node.engine.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gridshare.node.engine.BackendSlot;
import io.gridshare.node.engine.EngineConfig;
import io.gridshare.node.engine.ForwardBackend;
import io.gridshare.node.engine.cpu.CpuBackend;
import io.gridshare.node.model.Llama2cModel;
import io.gridshare.node.model.LlamaCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The CUDA backend reproduces llama2.c's run.c output for stories260K (empty prompt, greedy, 256
 * steps) token for token. The same harness runs on the CPU backend everywhere, so a failure on a
 * GPU host points at the CUDA backend, not at the harness.
 */
class CudaGoldenTest {

    private static final int STEPS = 256;

    private static Path modelDir() {
        Optional<Path> dir = CudaTestModels.stories260K();
        assumeTrue(dir.isPresent(), "stories260K not found: set -Dgridshare.models.dir=<dir holding stories260K/>"
                + " or keep ../shared beside the clone");
        return dir.get();
    }

    private static String generate(ForwardBackend backend, Path dir) throws Exception {
        try (BackendSlot slot = backend.allocateSlot()) {
            List<Integer> tokens = CudaTestModels.greedy(backend, slot, STEPS);
            byte[][] vocabulary = CudaTestModels.vocabulary(dir.resolve("tok512.bin"), backend.config().vocabSize());
            return CudaTestModels.runCOutput(vocabulary, tokens);
        }
    }

    @Test
    @DisplayName("the golden harness reproduces reference-greedy-256.txt on the CPU backend")
    void harnessReproducesReferenceOnCpu() throws Exception {
        Path dir = modelDir();
        String expected = Files.readString(dir.resolve("reference-greedy-256.txt"));
        try (LlamaCheckpoint checkpoint = LlamaCheckpoint.open(dir.resolve("stories260K.bin"));
             CpuBackend cpu = new CpuBackend(new Llama2cModel(checkpoint), new EngineConfig(1, EngineConfig.Backend.CPU, 0, 1, 0),
                     "test")) {
            assertThat(generate(cpu, dir)).isEqualTo(expected);
        }
    }

    @Test
    @DisplayName("the CUDA backend reproduces reference-greedy-256.txt exactly")
    void cudaReproducesReference() throws Exception {
        Optional<String> noGpu = CudaTestModels.noGpuReason();
        assumeTrue(noGpu.isEmpty(), () -> "CUDA golden test skipped: " + noGpu.orElse(""));
        Path dir = modelDir();
        String expected = Files.readString(dir.resolve("reference-greedy-256.txt"));
        try (LlamaCheckpoint checkpoint = LlamaCheckpoint.open(dir.resolve("stories260K.bin"));
             ForwardBackend cuda = new CudaBackendFactory().create(new Llama2cModel(checkpoint),
                     new EngineConfig(1, EngineConfig.Backend.CUDA, 0, 1, 0))) {
            String actual = generate(cuda, dir);
            System.out.println("CUDA golden output (" + cuda.info().detail() + "):\n" + actual);
            assertThat(actual).isEqualTo(expected);
        }
    }
}
