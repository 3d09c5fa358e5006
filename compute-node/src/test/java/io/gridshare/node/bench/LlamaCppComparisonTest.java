package io.gridshare.node.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gridshare.node.model.gguf.Llama2cToGguf;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlamaCppComparisonTest {

    @TempDir
    Path tmp;

    @Test
    @DisplayName("the comparison prints its command line and one row per concurrency with both engines' rates")
    void comparesOnStories260K() throws Exception {
        Path gguf = Llama2cToGguf.convert(tmp.resolve("stories260K-f32.gguf"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        LlamaCppComparison.run(LlamaCppComparison.Options.parse(new String[] {"--models", gguf.toString(),
                "--threads", "1", "--concurrency", "1,2", "--tokens", "8", "--prompt-tokens", "16",
                "--prefill-tokens", "64"}), new PrintStream(out, true, StandardCharsets.UTF_8));

        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines.getFirst()).contains("exec:java").contains("-Dexec.mainClass=io.gridshare.node.bench.LlamaCppComparison")
                .contains("--models " + gguf.toAbsolutePath()).contains("--concurrency 1,2");
        List<String> rows = lines.stream().filter(l -> l.startsWith("| stories260K-f32.gguf")).toList();
        assertThat(rows).hasSize(2);
        for (String row : rows) {
            String[] cells = row.split("\\|", -1);
            assertThat(cells[2].trim()).startsWith("F32");
            assertThat(Double.parseDouble(cells[5].trim())).as("ours tok/s in %s", row).isPositive();
            assertThat(Double.parseDouble(cells[6].trim())).as("llama.cpp tok/s in %s", row).isPositive();
            assertThat(Double.parseDouble(cells[7].trim())).as("ratio in %s", row).isPositive();
        }
        String[] first = rows.getFirst().split("\\|", -1);
        assertThat(first[4].trim()).isEqualTo("1");
        assertThat(first[8].trim()).endsWith("(64 tok)");
        assertThat(Double.parseDouble(first[8].trim().split(" ")[0])).isPositive();
        assertThat(Double.parseDouble(first[9].trim())).isPositive();
    }

    @Test
    @DisplayName("a file that is not GGUF is rejected before anything loads")
    void rejectsNonGguf() {
        assertThatThrownBy(() -> LlamaCppComparison.Options.parse(new String[] {"--models", tmp.resolve("x.bin").toString()}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a GGUF file");
    }
}
