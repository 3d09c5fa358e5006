package io.gridshare.node.engine.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gridshare.node.engine.BackendSlot;
import io.gridshare.node.engine.EngineConfig;
import io.gridshare.node.engine.ForwardBackend;
import io.gridshare.node.engine.SlotAllocationException;
import io.gridshare.node.gpu.CudaDeviceDiscovery;
import io.gridshare.node.model.Llama2cModel;
import io.gridshare.node.model.LlamaCheckpoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Slots on the CUDA backend: batched steps, graph replay, the slot limit, device memory released on close. */
class CudaBackendSlotsTest {

    private static final int SLOTS = 4;

    @TempDir
    Path dir;

    @BeforeEach
    void needsGpu() {
        Optional<String> noGpu = CudaTestModels.noGpuReason();
        assumeTrue(noGpu.isEmpty(), () -> "CUDA slot tests skipped: " + noGpu.orElse(""));
    }

    private Path model() throws Exception {
        return CudaTestModels.randomCheckpoint(dir, 64, 172, 2, 8, 4, 200, 48, 3);
    }

    private static EngineConfig config() {
        return new EngineConfig(SLOTS, EngineConfig.Backend.CUDA, 0, 1, 0);
    }

    @Test
    @DisplayName("slots stepped concurrently (batched) produce exactly the logits of slots stepped one after another")
    void concurrentSlotsMatchSequential() throws Exception {
        try (LlamaCheckpoint checkpoint = LlamaCheckpoint.open(model());
             ForwardBackend cuda = new CudaBackendFactory().create(new Llama2cModel(checkpoint), config())) {
            int steps = checkpoint.config().seqLen();
            List<float[][]> sequential = new ArrayList<>();
            for (int s = 0; s < SLOTS; s++) {
                try (BackendSlot slot = cuda.allocateSlot()) {
                    sequential.add(run(cuda, slot, s, steps));
                }
            }
            List<BackendSlot> slots = new ArrayList<>();
            for (int s = 0; s < SLOTS; s++) {
                slots.add(cuda.allocateSlot());
            }
            ExecutorService pool = Executors.newFixedThreadPool(SLOTS);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<CompletableFuture<float[][]>> concurrent = new ArrayList<>();
                for (int s = 0; s < SLOTS; s++) {
                    int job = s;
                    concurrent.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            start.await();
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                        return run(cuda, slots.get(job), job, steps);
                    }, pool));
                }
                start.countDown();
                for (int s = 0; s < SLOTS; s++) {
                    assertThat(concurrent.get(s).get()).as("slot %d", s).isDeepEqualTo(sequential.get(s));
                }
            } finally {
                pool.shutdownNow();
                slots.forEach(BackendSlot::close);
            }
        }
    }

    /** Feeds a job-specific token sequence (token = (job * 31 + pos * 7) % vocab) and keeps all logits. */
    private static float[][] run(ForwardBackend backend, BackendSlot slot, int job, int steps) {
        int vocab = backend.config().vocabSize();
        float[][] logits = new float[steps][vocab];
        for (int pos = 0; pos < steps; pos++) {
            backend.forward(slot, (job * 31 + pos * 7) % vocab, pos, logits[pos]);
        }
        return logits;
    }

    @Test
    @DisplayName("replaying a step as a CUDA graph gives exactly the logits of launching its kernels one by one")
    void graphsMatchDirectLaunches() throws Exception {
        try (LlamaCheckpoint checkpoint = LlamaCheckpoint.open(model())) {
            int steps = checkpoint.config().seqLen();
            float[][] direct;
            float[][] graphed;
            try (CudaBackend cuda = CudaBackend.create(new Llama2cModel(checkpoint), config(), false);
                 BackendSlot slot = cuda.allocateSlot()) {
                direct = run(cuda, slot, 1, steps);
            }
            try (CudaBackend cuda = CudaBackend.create(new Llama2cModel(checkpoint), config(), true);
                 BackendSlot slot = cuda.allocateSlot()) {
                graphed = run(cuda, slot, 1, steps);
            }
            assertThat(graphed).isDeepEqualTo(direct);
        }
    }

    @Test
    @DisplayName("a slot beyond the configured count is refused (SlotAllocationException); freed slots are reused")
    void slotLimit() throws Exception {
        try (LlamaCheckpoint checkpoint = LlamaCheckpoint.open(model());
             ForwardBackend cuda = new CudaBackendFactory().create(new Llama2cModel(checkpoint), config())) {
            List<BackendSlot> slots = new ArrayList<>();
            for (int s = 0; s < SLOTS; s++) {
                slots.add(cuda.allocateSlot());
            }
            assertThatThrownBy(cuda::allocateSlot).isInstanceOf(SlotAllocationException.class)
                    .hasMessageContaining("in use");
            slots.removeFirst().close();
            slots.add(cuda.allocateSlot());
            slots.forEach(BackendSlot::close);
            assertThat(cuda.bytesPerSlot()).isGreaterThanOrEqualTo(CudaBackend.kvCacheBytes(checkpoint.config()));
        }
    }

    @Test
    @DisplayName("closing the backend returns its device memory")
    void closeReleasesDeviceMemory() throws Exception {
        long before = new CudaDeviceDiscovery().discover().getFirst().freeMemoryBytes();
        try (LlamaCheckpoint checkpoint = LlamaCheckpoint.open(model())) {
            ForwardBackend cuda = new CudaBackendFactory().create(new Llama2cModel(checkpoint), config());
            BackendSlot slot = cuda.allocateSlot();
            cuda.forward(slot, 1, 0, new float[checkpoint.config().vocabSize()]);
            assertThat(cuda.freeSlotMemoryBytes()).isLessThan(before);
            cuda.close();
        }
        long after = new CudaDeviceDiscovery().discover().getFirst().freeMemoryBytes();
        assertThat(after).as("free device memory after close (before: %d)", before).isGreaterThan(before - (16L << 20));
    }
}
