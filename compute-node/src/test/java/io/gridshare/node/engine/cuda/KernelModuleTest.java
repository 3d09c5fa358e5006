package io.gridshare.node.engine.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class KernelModuleTest {

    @Test
    @DisplayName("the committed PTX on the classpath defines every kernel the backend launches")
    void ptxDefinesEveryKernel() {
        String ptx = KernelModule.ptxSource();
        for (String kernel : new String[] {"embed", "rmsnorm", "matvec", "matvec_add", "qkv_matvec", "rope_store",
                "attention", "swiglu_matvec", "swiglu", "residual_add", "embed_any", "bias_add", "swiglu_rows",
                "rope_store_ext", "matvec_f32", "matvec_f32_batched", "matvec_f16", "matvec_f16_batched",
                "matvec_q8_0", "matvec_q8_0_batched", "matvec_q4_k", "matvec_q4_k_batched"}) {
            assertThat(ptx).as("kernel %s", kernel).contains(".visible .entry " + kernel + "(");
        }
        assertThat(ptx).contains(".target sm_75");
    }

    @Test
    @DisplayName("every layout the backend accepts has a plain and a batched product kernel in the PTX")
    void everySupportedTypeHasKernels() {
        String ptx = KernelModule.ptxSource();
        KernelModule.SUPPORTED.forEach((type, name) -> {
            assertThat(ptx).as("%s", type).contains(".visible .entry " + name + "(")
                    .contains(".visible .entry " + name + "_batched(");
        });
    }

    @Test
    @DisplayName("the PTX ISA version line can be lowered for drivers older than the nvcc that built it")
    void ptxVersionRewrite() {
        String ptx = KernelModule.ptxSource();
        String lowered = KernelModule.withPtxVersion(ptx, KernelModule.FALLBACK_PTX_VERSION);
        assertThat(lowered).contains("\n.version 7.0\n").doesNotContain("\n.version 9.0\n");
        assertThat(lowered.length()).isEqualTo(ptx.length());
    }
}
