package io.gridshare.node.model.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No file can make the reader allocate more than the file's own size. */
class GgufAllocationTest {

    @TempDir
    Path tmp;

    private static long allocatedByThisThread() {
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return bean.getCurrentThreadAllocatedBytes();
    }

    @Test
    @DisplayName("a file packed with a million one-byte strings opens without allocating more than its size")
    void tinyStringsDoNotMultiplyOnTheHeap() throws Exception {
        List<String> tiny = new ArrayList<>();
        for (int i = 0; i < 1_000_000; i++) {
            tiny.add(String.valueOf((char) ('a' + i % 26)));
        }
        Path file = new GgufWriter().putStringArray("tokenizer.ggml.tokens", tiny).write(tmp.resolve("tiny.gguf"));
        long size = Files.size(file);

        long before = allocatedByThisThread();
        try (GgufFile f = GgufFile.open(file)) {
            long allocated = allocatedByThisThread() - before;
            assertThat(allocated).as("bytes allocated to open a %d-byte file", size).isLessThan(size);
            assertThat(f.metadata().stringArray("tokenizer.ggml.tokens")).hasSize(1_000_000);
            assertThat(f.metadata().stringArray("tokenizer.ggml.tokens").get(27)).isEqualTo("b");
        }
    }
}
