package io.gridshare.node.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gridshare.node.model.LlamaCheckpoint;
import io.gridshare.node.model.RandomModelFixture;
import io.gridshare.node.model.TransformerModel;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendSelectorTest {

    /** Stands in for a CUDA factory on a host without libcuda.so.1, as JCuda behaves there. */
    public static final class NoDriverFactory implements ForwardBackendFactory {
        @Override
        public String name() {
            return "cuda";
        }

        @Override
        public ForwardBackend create(TransformerModel model, EngineConfig config) {
            throw new UnsatisfiedLinkError("Could not load the native library libcuda.so.1");
        }
    }

    /** A factory whose device reports an error at start. */
    public static final class FailingDeviceFactory implements ForwardBackendFactory {
        @Override
        public String name() {
            return "cuda";
        }

        @Override
        public ForwardBackend create(TransformerModel model, EngineConfig config) throws BackendUnavailableException {
            throw new BackendUnavailableException("no CUDA device found (cuDeviceGetCount = 0)");
        }
    }

    @TempDir
    Path tmp;

    private LlamaCheckpoint checkpoint;

    @BeforeEach
    void writeModel() throws Exception {
        checkpoint = LlamaCheckpoint.open(RandomModelFixture.writeCheckpoint(tmp.resolve("m.bin"),
                RandomModelFixture.smallConfig(), 3));
    }

    @AfterEach
    void closeModel() {
        checkpoint.close();
    }

    private ForwardBackend select(String factoryClass, EngineConfig.Backend choice) throws Exception {
        return new BackendSelector(factoryClass).select(checkpoint, EngineConfig.defaults(1).withBackend(choice));
    }

    @Test
    void automaticChoiceFallsBackToCpuWhenTheDriverLibraryDoesNotLoad() throws Exception {
        try (ForwardBackend backend = select(NoDriverFactory.class.getName(), EngineConfig.Backend.AUTO)) {
            assertThat(backend.info().name()).isEqualTo("cpu");
            assertThat(backend.info().detail()).contains("CUDA driver library not loadable").contains("libcuda.so.1");
        }
    }

    @Test
    void automaticChoiceFallsBackToCpuWhenNoDeviceExists() throws Exception {
        try (ForwardBackend backend = select(FailingDeviceFactory.class.getName(), EngineConfig.Backend.AUTO)) {
            assertThat(backend.info().detail()).contains("no CUDA device found");
        }
    }

    @Test
    void automaticChoiceFallsBackToCpuWhenTheCudaBackendIsNotBuiltIn() throws Exception {
        try (ForwardBackend backend = select("io.gridshare.node.engine.cuda.Missing", EngineConfig.Backend.AUTO)) {
            assertThat(backend.info().name()).isEqualTo("cpu");
            assertThat(backend.info().detail()).contains("not built into this node");
        }
    }

    @Test
    void demandedCudaFailsInsteadOfFallingBack() {
        assertThatThrownBy(() -> select(NoDriverFactory.class.getName(), EngineConfig.Backend.CUDA))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("gridshare.node.backend=cuda")
                .hasMessageContaining("libcuda.so.1");
    }

    @Test
    void cpuOverrideNeverTouchesCuda() throws Exception {
        try (ForwardBackend backend = select(NoDriverFactory.class.getName(), EngineConfig.Backend.CPU)) {
            assertThat(backend.info().name()).isEqualTo("cpu");
        }
    }

    @Test
    void unknownBackendNameIsRejectedWithTheValidChoices() {
        assertThat(EngineConfig.Backend.parse(" CUDA ")).isEqualTo(EngineConfig.Backend.CUDA);
        assertThatThrownBy(() -> EngineConfig.Backend.parse("gpu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("auto, cuda or cpu");
    }
}
