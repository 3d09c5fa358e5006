package io.gridshare.node.engine.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gridshare.node.engine.EngineConfig;
import io.gridshare.node.engine.KvCacheStatus;
import io.gridshare.node.model.Llama2cModel;
import io.gridshare.node.model.LlamaCheckpoint;
import io.gridshare.node.model.LlamaConfig;
import io.gridshare.node.model.TestModels;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The CPU backend's paged KV cache: block accounting, the pool's arrays, and exact attention. */
class PagedKvCacheTest {

    private static EngineConfig cpu(int slots) {
        return EngineConfig.defaults(slots).withBackend(EngineConfig.Backend.CPU).withCpuThreads(1);
    }

    private static LlamaCheckpoint stories() throws Exception {
        return LlamaCheckpoint.open(TestModels.stories260K().checkpoint());
    }

    @Test
    @DisplayName("a slot takes a block when its positions cross into it and returns them all at the end of its job")
    void blocksAreTakenAsPositionsGrowAndReturnedAtOnce() throws Exception {
        try (LlamaCheckpoint ck = stories(); CpuBackend backend = new CpuBackend(new Llama2cModel(ck), cpu(2), "test")) {
            CpuSlot slot = (CpuSlot) backend.allocateSlot();
            float[] logits = new float[backend.config().vocabSize()];
            assertThat(backend.kvCache().usedBlocks()).isZero();
            for (int pos = 0; pos < 40; pos++) {
                backend.forward(slot, 1 + pos % 7, pos, logits);
                assertThat(backend.kvCache().usedBlocks()).as("after position %d", pos).isEqualTo(pos / 16 + 1);
            }
            assertThat(slot.heldBlocks()).isEqualTo(3);
            slot.endJob();
            assertThat(backend.kvCache().usedBlocks()).isZero();
            assertThat(slot.heldBlocks()).isZero();
            // the slot serves its next job from position 0 again
            backend.forward(slot, 1, 0, logits);
            assertThat(backend.kvCache().usedBlocks()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("by default the pool holds slots jobs at the whole context; kvCacheBytes sizes it in whole blocks")
    void poolSizeFollowsTheConfiguration() throws Exception {
        try (LlamaCheckpoint ck = stories()) {
            LlamaConfig c = ck.config();
            long perBlock = 4L * c.layers() * 2 * c.kvDim() * KvBlockPool.BLOCK;
            int fullContext = (c.seqLen() + 15) / 16;
            try (CpuBackend backend = new CpuBackend(new Llama2cModel(ck), cpu(3), "test")) {
                KvCacheStatus kv = backend.kvCache();
                assertThat(kv.totalBlocks()).isEqualTo(3 * fullContext);
                assertThat(kv.bytesPerBlock()).isEqualTo(perBlock);
                assertThat(kv.blockPositions()).isEqualTo(16);
            }
            try (CpuBackend backend = new CpuBackend(new Llama2cModel(ck), cpu(3).withKvCacheBytes(10 * perBlock + 5), "test")) {
                assertThat(backend.kvCache().totalBlocks()).isEqualTo(10);
            }
            assertThatThrownBy(() -> new CpuBackend(new Llama2cModel(ck), cpu(1).withKvCacheBytes(perBlock - 1), "test"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(EngineConfig.KV_CACHE_BYTES_ENV).hasMessageContaining(String.valueOf(perBlock));
        }
    }

    @Test
    @DisplayName("a pool split over several arrays gives the same logits, bit for bit")
    void poolSplitOverArraysGivesTheSameLogits() throws Exception {
        try (LlamaCheckpoint ck = stories();
             CpuBackend whole = new CpuBackend(new Llama2cModel(ck), cpu(2), "test");
             CpuBackend split = new CpuBackend(new Llama2cModel(ck), cpu(2), "test",
                     3 * whole.c.layers() * whole.layerFloats)) {
            assertThat(split.kv.arrays()).isGreaterThan(1);
            CpuSlot filler = (CpuSlot) split.allocateSlot();
            CpuSlot a = (CpuSlot) whole.allocateSlot();
            CpuSlot b = (CpuSlot) split.allocateSlot();
            float[] la = new float[whole.config().vocabSize()];
            float[] lb = new float[whole.config().vocabSize()];
            float[] scratch = new float[whole.config().vocabSize()];
            int token = 1;
            for (int pos = 0; pos < 100; pos++) {
                if (pos % 16 == 0) {
                    split.forward(filler, 1, pos, scratch); // interleave blocks of another job
                }
                whole.forward(a, token, pos, la);
                split.forward(b, token, pos, lb);
                assertThat(lb).as("logits at position %d", pos).isEqualTo(la);
                token = (token * 31 + 7) % whole.config().vocabSize();
            }
        }
    }

    @Test
    @DisplayName("scores and weighted sums over blocks have the bits of the contiguous kernels at every length")
    void blockKernelsMatchContiguousKernelsBitForBit() {
        int headSize = 8, seqLen = 80;
        Random random = new Random(5);
        float[] q = new float[headSize];
        float[] keys = new float[headSize * seqLen], values = new float[headSize * seqLen];
        for (int i = 0; i < q.length; i++) {
            q[i] = random.nextFloat() - 0.5f;
        }
        KvBlockPool pool = new KvBlockPool(seqLen / 16, 2 * headSize * 16, 2 * 2 * headSize * 16);
        float[][] blocks = new float[seqLen / 16][];
        int[] offsets = new int[seqLen / 16];
        for (int b = blocks.length - 1; b >= 0; b--) {
            int id = pool.take();
            blocks[b] = pool.array(id);
            offsets[b] = pool.offset(id);
        }
        for (int d = 0; d < headSize; d++) {
            for (int t = 0; t < seqLen; t++) {
                float k = random.nextFloat() - 0.5f, v = random.nextFloat() - 0.5f;
                keys[d * seqLen + t] = k;
                values[d * seqLen + t] = v;
                blocks[t / 16][offsets[t / 16] + d * 16 + t % 16] = k;
                blocks[t / 16][offsets[t / 16] + headSize * 16 + d * 16 + t % 16] = v;
            }
        }
        float[] acc = new float[headSize * VectorKernels.lanes()];
        for (int n = 1; n <= seqLen; n++) {
            float[] contiguous = new float[seqLen], paged = new float[seqLen];
            VectorKernels.attentionScores(contiguous, 0, q, 0, keys, 0, seqLen, headSize, n, 2.8f);
            BlockKernels.scores(paged, 0, q, 0, blocks, offsets, 0, headSize, n, 2.8f);
            assertThat(paged).as("scores of %d positions", n).isEqualTo(contiguous);
            VectorKernels.softmax(contiguous, 0, n);
            float[] expected = new float[headSize], actual = new float[headSize];
            for (int d = 0; d < headSize; d++) {
                expected[d] = VectorKernels.dot(contiguous, 0, values, d * seqLen, n);
            }
            BlockKernels.weightedSum(actual, 0, contiguous, 0, blocks, offsets, headSize * 16, headSize, n, acc);
            assertThat(actual).as("weighted sum of %d positions", n).isEqualTo(expected);
        }
    }

    @Test
    void poolHandsOutEachBlockOnceAndRefusesDoubleReturns() {
        KvBlockPool pool = new KvBlockPool(5, 10, 25);
        assertThat(pool.arrays()).isEqualTo(3);
        int[] ids = new int[5];
        for (int i = 0; i < 5; i++) {
            ids[i] = pool.take();
        }
        assertThat(ids).doesNotHaveDuplicates();
        assertThat(pool.take()).isEqualTo(-1);
        assertThat(pool.usedBlocks()).isEqualTo(5);
        pool.release(ids, 5);
        assertThat(pool.usedBlocks()).isZero();
        assertThatThrownBy(() -> pool.release(ids, 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("returned twice");
    }
}
