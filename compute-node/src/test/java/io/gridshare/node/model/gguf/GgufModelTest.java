package io.gridshare.node.model.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gridshare.node.model.ArchitectureParams.RopeStyle;
import io.gridshare.node.model.ModelFormatException;
import io.gridshare.node.model.TestModels;
import io.gridshare.node.tensor.GgmlType;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufModelTest {

    @TempDir
    Path tmp;

    private GgufWriter stories() throws Exception {
        var files = TestModels.stories260K();
        return new Llama2cToGguf(Llama2cToGguf.ALL_F32, Llama2cToGguf.FLOAT_ENCODER)
                .toWriter(files.checkpoint(), files.tokenizer());
    }

    @Test
    @DisplayName("the shape, RoPE and norm parameters come from the architecture's metadata keys")
    void readsTheShapeFromMetadata() throws Exception {
        Path file = stories().write(tmp.resolve("m.gguf"));
        try (GgufModel m = GgufModel.open(file, 0)) {
            assertThat(m.config().dim()).isEqualTo(64);
            assertThat(m.config().layers()).isEqualTo(5);
            assertThat(m.config().heads()).isEqualTo(8);
            assertThat(m.config().kvHeads()).isEqualTo(4);
            assertThat(m.config().vocabSize()).isEqualTo(512);
            assertThat(m.config().sharedClassifier()).isTrue();
            assertThat(m.params().architecture()).isEqualTo("llama");
            assertThat(m.params().ropeStyle()).isEqualTo(RopeStyle.ADJACENT);
            assertThat(m.params().ropeTheta()).isEqualTo(10000f);
            assertThat(m.params().normEps()).isEqualTo(1e-5f);
            assertThat(m.params().contextTrained()).isEqualTo(512);
            assertThat(m.quantization()).isEqualTo("F32 ×36");
            assertThat(m.tokenEmbedding().type()).isEqualTo(GgmlType.F32);
        }
    }

    @Test
    @DisplayName("the KV cache is sized by the configured context, capped by the model's, and 4096 by default")
    void contextIsCappedByTheModels() throws Exception {
        Path file = stories().write(tmp.resolve("m.gguf"));
        try (GgufModel m = GgufModel.open(file, 128)) {
            assertThat(m.config().seqLen()).isEqualTo(128);
        }
        try (GgufModel m = GgufModel.open(file, 100_000)) {
            assertThat(m.config().seqLen()).isEqualTo(512);
        }
        Path big = stories().remove("llama.context_length").putUInt32("llama.context_length", 131072)
                .write(tmp.resolve("big.gguf"));
        try (GgufModel m = GgufModel.open(big, 0)) {
            assertThat(m.config().seqLen()).isEqualTo(GgufModel.DEFAULT_CONTEXT);
        }
    }

    @Test
    @DisplayName("qwen2 files use NEOX RoPE")
    void qwen2UsesNeoxRope() throws Exception {
        GgufWriter w = stories().remove("general.architecture").putString("general.architecture", "qwen2");
        for (String k : new String[] {"context_length", "embedding_length", "block_count", "feed_forward_length",
                "attention.head_count", "attention.head_count_kv", "rope.dimension_count",
                "attention.layer_norm_rms_epsilon", "rope.freq_base"}) {
            w.remove("llama." + k);
        }
        w.putUInt32("qwen2.context_length", 512).putUInt32("qwen2.embedding_length", 64).putUInt32("qwen2.block_count", 5)
                .putUInt32("qwen2.feed_forward_length", 172).putUInt32("qwen2.attention.head_count", 8)
                .putUInt32("qwen2.attention.head_count_kv", 4).putFloat32("qwen2.attention.layer_norm_rms_epsilon", 1e-6f)
                .putFloat32("qwen2.rope.freq_base", 1_000_000f);
        try (GgufModel m = GgufModel.open(w.write(tmp.resolve("q.gguf")), 0)) {
            assertThat(m.params().ropeStyle()).isEqualTo(RopeStyle.NEOX);
            assertThat(m.params().ropeTheta()).isEqualTo(1_000_000f);
            assertThat(m.params().normEps()).isEqualTo(1e-6f);
            assertThat(m.bq(0)).isNull();
        }
    }

    @Test
    @DisplayName("an unknown architecture is refused naming the file and the supported ones")
    void unknownArchitectureIsRefused() throws Exception {
        Path file = stories().remove("general.architecture").putString("general.architecture", "gptneox")
                .write(tmp.resolve("neox.gguf"));
        assertThatThrownBy(() -> GgufModel.open(file, 0)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("neox.gguf")
                .hasMessageContaining("general.architecture 'gptneox' is not supported")
                .hasMessageContaining("llama, qwen2");
    }

    @Test
    @DisplayName("a missing tensor is named")
    void missingTensorIsNamed() throws Exception {
        Path file = stories().removeTensor("blk.3.ffn_up.weight").write(tmp.resolve("m.gguf"));
        assertThatThrownBy(() -> GgufModel.open(file, 0)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("m.gguf").hasMessageContaining("blk.3.ffn_up.weight");
    }

    @Test
    @DisplayName("a tensor whose shape disagrees with the metadata is named with both shapes")
    void shapeMismatchIsNamed() throws Exception {
        Path file = stories().remove("llama.feed_forward_length").putUInt32("llama.feed_forward_length", 160)
                .write(tmp.resolve("m.gguf"));
        assertThatThrownBy(() -> GgufModel.open(file, 0)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("blk.0.ffn_gate.weight has shape [64, 172]")
                .hasMessageContaining("[64, 160]");
    }

    @Test
    @DisplayName("absurd sizes in the metadata are refused before any allocation")
    void absurdMetadataIsRefused() throws Exception {
        Path file = stories().remove("llama.block_count").putUInt32("llama.block_count", 4_000_000_000L)
                .write(tmp.resolve("m.gguf"));
        assertThatThrownBy(() -> GgufModel.open(file, 0)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("llama.block_count 4000000000 is outside");
    }
}
