package io.gridshare.node.model.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridshare.node.tensor.GgmlType;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufLargeFileTest {

    @TempDir
    Path tmp;

    @Test
    void aSparseFiveGigabyteModelOpensInWellUnderASecondBecauseNoDataIsRead() throws Exception {
        long rows = 5L * 1024 * 1024 * 1024 / (4 * 4096) + 1; // just over 5 GiB of F32
        Path file = new GgufWriter()
                .putString("general.architecture", "llama")
                .addTensor("output_norm.weight", GgmlType.F32, new long[] {4}, new byte[16])
                .declareTensor("token_embd.weight", GgmlType.F32, new long[] {4096, rows})
                .write(tmp.resolve("big.gguf"));
        assertThat(Files.size(file)).isGreaterThan(5L << 30);

        long start = System.nanoTime();
        GgufFile g = GgufFile.open(file);
        long openedNanos = System.nanoTime() - start;
        try (g) {
            assertThat(openedNanos).as("open took %d ms", openedNanos / 1_000_000).isLessThan(2_000_000_000L);
            GgufTensorInfo t = g.requireTensor("token_embd.weight");
            assertThat(t.byteSize()).isEqualTo(4L * 4096 * rows);
            assertThat(t.offset() + t.byteSize()).isLessThanOrEqualTo(g.fileSize());
            assertThat(g.data(t).get(ValueLayout.JAVA_BYTE, t.byteSize() - 1)).isZero(); // a hole reads as zeros
        }
    }
}
