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
                "attention", "swiglu_matvec", "swiglu", "residual_add"}) {
            assertThat(ptx).as("kernel %s", kernel).contains(".visible .entry " + kernel + "(");
        }
        assertThat(ptx).contains(".target sm_75");
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
