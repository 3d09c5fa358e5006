package io.gridshare.node.engine.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.gridshare.node.engine.BackendSelector;
import io.gridshare.node.engine.BackendUnavailableException;
import io.gridshare.node.engine.EngineConfig;
import io.gridshare.node.engine.ForwardBackend;
import io.gridshare.node.gpu.CudaDriverLibrary;
import io.gridshare.node.model.Llama2cModel;
import io.gridshare.node.model.LlamaCheckpoint;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** On a host without the CUDA driver the CUDA factory says why, and the selector falls back to the CPU. */
class CudaBackendSelectionTest {

    @TempDir
    Path dir;

    @BeforeEach
    void needsHostWithoutDriver() {
        assumeFalse(CudaDriverLibrary.availability().available(),
                "the CUDA driver is present here; the GPU tests cover this host");
    }

    private LlamaCheckpoint model() throws Exception {
        return LlamaCheckpoint.open(CudaTestModels.randomCheckpoint(dir, 16, 32, 1, 2, 1, 20, 8, 1));
    }

    @Test
    @DisplayName("the CUDA factory refuses with BackendUnavailableException naming the missing driver library")
    void factoryRefuses() throws Exception {
        try (LlamaCheckpoint checkpoint = model()) {
            assertThatThrownBy(() -> new CudaBackendFactory().create(new Llama2cModel(checkpoint), EngineConfig.defaults(1)))
                    .isInstanceOf(BackendUnavailableException.class)
                    .hasMessageContaining("libcuda");
        }
    }

    @Test
    @DisplayName("automatic selection loads the CUDA factory, gets its reason and runs on the CPU")
    void autoFallsBackToCpu() throws Exception {
        try (LlamaCheckpoint checkpoint = model();
             ForwardBackend backend = new BackendSelector().select(new Llama2cModel(checkpoint),
                     EngineConfig.defaults(1).withBackend(EngineConfig.Backend.AUTO))) {
            assertThat(backend.info().name()).isEqualTo("cpu");
            assertThat(backend.info().detail()).contains("libcuda");
        }
    }

    @Test
    @DisplayName("a demanded CUDA backend fails with the reason instead of falling back")
    void demandedCudaFails() throws Exception {
        try (LlamaCheckpoint checkpoint = model()) {
            assertThatThrownBy(() -> new BackendSelector().select(new Llama2cModel(checkpoint),
                    EngineConfig.defaults(1).withBackend(EngineConfig.Backend.CUDA)))
                    .isInstanceOf(BackendUnavailableException.class)
                    .hasMessageContaining("libcuda");
        }
    }
}
