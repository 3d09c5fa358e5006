package io.gridshare.node.model.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridshare.node.model.LlamaCheckpoint;
import io.gridshare.node.model.LlamaConfig;
import io.gridshare.node.model.TestModels;
import io.gridshare.node.model.Tokenizer;
import io.gridshare.node.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Llama2cToGgufTest {

    @TempDir
    Path tmp;

    @Test
    void stories260KConvertsToALlamaGgufWithTheCheckpointsShapesAndWeights() throws Exception {
        Path gguf = Llama2cToGguf.convert(tmp.resolve("stories260K.gguf"));
        try (GgufFile g = GgufFile.open(gguf);
             LlamaCheckpoint ck = LlamaCheckpoint.open(TestModels.stories260K().checkpoint())) {
            LlamaConfig c = ck.config();
            GgufMetadata m = g.metadata();
            assertThat(m.requireString("general.architecture")).isEqualTo("llama");
            assertThat(m.requireString("general.name")).isEqualTo("stories260K");
            assertThat(m.requireInteger("llama.embedding_length")).isEqualTo(c.dim());
            assertThat(m.requireInteger("llama.feed_forward_length")).isEqualTo(c.hiddenDim());
            assertThat(m.requireInteger("llama.block_count")).isEqualTo(c.layers());
            assertThat(m.requireInteger("llama.attention.head_count")).isEqualTo(c.heads());
            assertThat(m.requireInteger("llama.attention.head_count_kv")).isEqualTo(c.kvHeads());
            assertThat(m.requireInteger("llama.context_length")).isEqualTo(c.seqLen());
            assertThat(m.requireInteger("llama.rope.dimension_count")).isEqualTo(c.headSize());
            assertThat(m.number("llama.attention.layer_norm_rms_epsilon").orElseThrow()).isCloseTo(1e-5, within());
            assertThat(m.number("llama.rope.freq_base")).contains(10000.0);

            assertThat(g.tensors()).hasSize(2 + 9 * c.layers()); // shared classifier: no output.weight
            assertThat(g.tensor("output.weight")).isEmpty();
            assertThat(g.requireTensor("token_embd.weight").dims()).containsExactly(c.dim(), c.vocabSize());
            assertThat(g.requireTensor("blk.0.attn_k.weight").dims()).containsExactly(c.dim(), c.kvDim());
            assertThat(g.requireTensor("blk.4.ffn_down.weight").dims()).containsExactly(c.hiddenDim(), c.dim());
            assertThat(g.requireTensor("blk.4.ffn_gate.weight").dims()).containsExactly(c.dim(), c.hiddenDim());
            assertThat(g.requireTensor("output_norm.weight").dims()).containsExactly(c.dim());

            assertSameFloats(g, "token_embd.weight", ck.tokenEmbedding());
            assertSameFloats(g, "blk.2.attn_q.weight", ck.wq(2));
            assertSameFloats(g, "blk.3.attn_v.weight", ck.wv(3));
            assertSameFloats(g, "blk.1.ffn_gate.weight", ck.w1(1));
            assertSameFloats(g, "blk.1.ffn_down.weight", ck.w2(1));
            assertSameFloats(g, "blk.1.ffn_up.weight", ck.w3(1));
            assertSameFloats(g, "blk.0.ffn_norm.weight", ck.rmsFfn(0));
            assertSameFloats(g, "output_norm.weight", ck.rmsFinal());
        }
    }

    @Test
    void vocabularyUsesSentencePieceSpacesAndLlamaCppTokenTypes() throws Exception {
        Path gguf = Llama2cToGguf.convert(tmp.resolve("stories260K.gguf"));
        Tokenizer tok = Tokenizer.load(TestModels.stories260K().tokenizer());
        try (GgufFile g = GgufFile.open(gguf)) {
            GgufMetadata m = g.metadata();
            assertThat(m.requireString("tokenizer.ggml.model")).isEqualTo("llama");
            var tokens = m.stringArray("tokenizer.ggml.tokens");
            int[] types = m.intArray("tokenizer.ggml.token_type");
            float[] scores = m.floatArray("tokenizer.ggml.scores");
            assertThat(tokens).hasSize(tok.vocabSize()).startsWith("<unk>", "<s>", "</s>", "<0x00>");
            assertThat(types).startsWith(2, 3, 3, 6);
            assertThat(types[3 + 255]).isEqualTo(6);
            assertThat(types[3 + 256]).isEqualTo(1);
            assertThat(tokens).noneMatch(t -> t.contains(" ")).anyMatch(t -> t.startsWith("\u2581"));
            for (int id = 3; id < tok.vocabSize(); id++) {
                assertThat(scores[id]).isEqualTo(tok.score(id));
            }
            assertThat(m.requireInteger("tokenizer.ggml.bos_token_id")).isEqualTo(1);
            assertThat(m.requireInteger("tokenizer.ggml.eos_token_id")).isEqualTo(2);
            assertThat(m.requireInteger("tokenizer.ggml.unknown_token_id")).isZero();
            assertThat(m.bool("tokenizer.ggml.add_bos_token")).contains(true);
            assertThat(m.bool("tokenizer.ggml.add_eos_token")).contains(false);
            assertThat(m.requireInteger("llama.vocab_size")).isEqualTo(tok.vocabSize());
        }
    }

    @Test
    void f16VariantStoresMatricesAsHalfFloatsAndNormsAsF32() throws Exception {
        Path gguf = Llama2cToGguf.convert(tmp.resolve("f16.gguf"), Llama2cToGguf.MATRICES_F16, Llama2cToGguf.FLOAT_ENCODER);
        try (GgufFile g = GgufFile.open(gguf);
             LlamaCheckpoint ck = LlamaCheckpoint.open(TestModels.stories260K().checkpoint())) {
            GgufTensorInfo wq = g.requireTensor("blk.0.attn_q.weight");
            assertThat(wq.type()).isEqualTo(GgmlType.F16);
            assertThat(g.requireTensor("blk.0.attn_norm.weight").type()).isEqualTo(GgmlType.F32);
            float[] expected = LlamaCheckpoint.toFloats(ck.wq(0));
            MemorySegment data = g.data(wq);
            var le = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < expected.length; i++) {
                assertThat(Float.float16ToFloat(data.getAtIndex(le, i)))
                        .isEqualTo(Float.float16ToFloat(Float.floatToFloat16(expected[i])));
            }
        }
    }

    private static void assertSameFloats(GgufFile g, String name, MemorySegment expected) throws Exception {
        GgufTensorInfo t = g.requireTensor(name);
        assertThat(t.type()).isEqualTo(GgmlType.F32);
        assertThat(LlamaCheckpoint.toFloats(g.data(t))).as(name).containsExactly(LlamaCheckpoint.toFloats(expected));
    }

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(1e-9);
    }
}
