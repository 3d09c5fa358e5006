package io.gridshare.node.engine.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gridshare.node.engine.BackendUnavailableException;
import io.gridshare.node.engine.EngineConfig;
import io.gridshare.node.engine.cpu.VectorKernels;
import io.gridshare.node.model.ArchitectureParams;
import io.gridshare.node.model.Llama2cModel;
import io.gridshare.node.model.LlamaCheckpoint;
import io.gridshare.node.model.LlamaConfig;
import io.gridshare.node.tensor.GgmlType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What the CUDA backend decides on the host, before any device work: these run everywhere. */
class ModelSupportTest {

    private static final LlamaConfig SMALL = new LlamaConfig(256, 512, 2, 4, 2, 300, 16, false);

    private static SyntheticModel model(GgmlType attention, GgmlType ffn) {
        return SyntheticModel.random(SMALL, ArchitectureParams.llama2c(SMALL), GgmlType.Q8_0, attention, ffn,
                GgmlType.F16, false, 1);
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"BF16", "Q4_0", "Q5_K", "Q6_K"})
    @DisplayName("a weight type without a CUDA kernel is refused naming the tensor, the type and the CPU backend")
    void unsupportedTypeIsRefused(GgmlType type) {
        assertThatThrownBy(() -> ModelSupport.check(model(GgmlType.Q4_K, type)))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("blk.0.ffn_gate.weight")
                .hasMessageContaining("of type " + type)
                .hasMessageContaining("--backend cpu serves it");
    }

    @Test
    @DisplayName("the CUDA factory refuses an unsupported type before looking for a driver or device")
    void factoryRefusesUnsupportedTypeFirst() {
        assertThatThrownBy(() -> new CudaBackendFactory().create(model(GgmlType.Q6_K, GgmlType.Q4_K),
                EngineConfig.defaults(1)))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("blk.0.attn_q.weight of type Q6_K");
    }

    @Test
    @DisplayName("F32, F16, Q8_0 and Q4_K models pass the check")
    void supportedTypesPass() throws Exception {
        ModelSupport.check(model(GgmlType.F16, GgmlType.Q4_K));
        ModelSupport.check(model(GgmlType.Q8_0, GgmlType.F32));
    }

    @Test
    @DisplayName("RoPE over an odd count or more dimensions than a head has is refused")
    void ropeDimsOutsideTheHeadAreRefused() {
        ArchitectureParams wide = new ArchitectureParams("llama", 10000f, 1e-5f, ArchitectureParams.RopeStyle.NEOX,
                SMALL.headSize() + 2, null, 16);
        SyntheticModel m = SyntheticModel.random(SMALL, wide, GgmlType.F32, GgmlType.F32, GgmlType.F32, null, false, 1);
        assertThatThrownBy(() -> ModelSupport.check(m)).isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("RoPE over " + (SMALL.headSize() + 2) + " dimensions");
    }

    @Test
    @DisplayName("with llama2.c's parameters the RoPE table is bit-identical to the CPU backend's")
    void ropeTableMatchesCpuForLlama2c() {
        LlamaConfig c = new LlamaConfig(64, 172, 5, 8, 4, 512, 512, true);
        float[] cos = new float[c.seqLen() * c.headSize() / 2];
        float[] sin = new float[cos.length];
        VectorKernels.ropeTables(c.headSize(), c.seqLen(), cos, sin);
        float[] table = ModelSupport.ropeTable(ArchitectureParams.llama2c(c), c.seqLen());
        for (int i = 0; i < cos.length; i++) {
            assertThat(table[2 * i]).as("cos %d", i).isEqualTo(cos[i]);
            assertThat(table[2 * i + 1]).as("sin %d", i).isEqualTo(sin[i]);
        }
    }

    @Test
    @DisplayName("the RoPE table honours theta, the rotated dimensions and per-pair frequency divisors")
    void ropeTableUsesThetaDimsAndFactors() {
        float[] factors = {1f, 2f, 4f, 8f};
        ArchitectureParams p = new ArchitectureParams("llama", 500000f, 1e-5f, ArchitectureParams.RopeStyle.ADJACENT,
                8, factors, 32);
        float[] table = ModelSupport.ropeTable(p, 32);
        int pos = 7;
        for (int j = 0; j < 4; j++) {
            double angle = pos * Math.pow(500000, -2.0 * j / 8) / factors[j];
            assertThat((double) table[2 * (pos * 4 + j)]).isCloseTo(Math.cos(angle), org.assertj.core.data.Offset.offset(1e-6));
            assertThat((double) table[2 * (pos * 4 + j) + 1]).isCloseTo(Math.sin(angle), org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    @Test
    @DisplayName("the reference forward of the CUDA tests, run on stories260K, reproduces run.c's greedy output")
    void referenceForwardReproducesRunC() throws Exception {
        Optional<Path> dir = CudaTestModels.stories260K();
        assumeTrue(dir.isPresent(), "stories260K not found: set -Dgridshare.models.dir");
        String expected = Files.readString(dir.get().resolve("reference-greedy-256.txt"));
        try (LlamaCheckpoint checkpoint = LlamaCheckpoint.open(dir.get().resolve("stories260K.bin"))) {
            ReferenceForward reference = new ReferenceForward(new Llama2cModel(checkpoint));
            java.util.List<Integer> tokens = new java.util.ArrayList<>();
            int token = CudaTestModels.BOS;
            for (int pos = 0; pos < 256; pos++) {
                int next = CudaTestModels.argmax(reference.forward(token, pos));
                if (next == CudaTestModels.BOS) {
                    break;
                }
                tokens.add(next);
                token = next;
            }
            byte[][] vocabulary = CudaTestModels.vocabulary(dir.get().resolve("tok512.bin"),
                    checkpoint.config().vocabSize());
            assertThat(CudaTestModels.runCOutput(vocabulary, tokens)).isEqualTo(expected);
        }
    }
}
