package io.gridshare.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridshare.node.model.TestModels;
import io.gridshare.node.model.gguf.Llama2cToGguf;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateCommandTest {

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return GenerateCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("generate prints the completion alone on stdout (not the prompt), and statistics on stderr")
    void printsTheCompletionOnly() throws Exception {
        Path gguf = Llama2cToGguf.convert(tmp.resolve("stories.gguf"));
        String reference = Files.readString(TestModels.referenceGreedy256(), StandardCharsets.UTF_8);

        int code = run("--model", gguf.toString(), "--prompt", "Once upon a time", "--max-tokens", "20",
                "--temperature", "0", "--backend", "cpu");

        assertThat(code).isEqualTo(0);
        String completion = out.toString(StandardCharsets.UTF_8);
        // greedy from "Once upon a time" continues run.c's story, which begins with those words
        assertThat("Once upon a time" + completion).startsWith(reference.substring(0, 40));
        assertThat(completion).doesNotContain("Once upon a time");
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("20 generated").contains("decode").contains("tok/s");
    }

    @Test
    @DisplayName("the llama2.c checkpoint works with the same command")
    void llama2cCheckpoint() {
        int code = run("--model", TestModels.stories260K().checkpoint().toString(), "--prompt", "Once upon a time",
                "--max-tokens", "8", "--temperature", "0", "--backend", "cpu");
        assertThat(code).isEqualTo(0);
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith(", there was a");
    }

    @Test
    @DisplayName("bad arguments exit 2 and say what to give")
    void badArguments() throws Exception {
        assertThat(run("--prompt", "x")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--model FILE is required").contains("usage: generate");
        err.reset();
        assertThat(run("--model", tmp.resolve("missing.gguf").toString(), "--prompt", "x")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("missing.gguf: no such file");
        err.reset();
        Path gguf = Llama2cToGguf.convert(tmp.resolve("stories.gguf"));
        assertThat(run("--model", gguf.toString(), "--prompt", "x", "--max-tokens", "lots")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--max-tokens 'lots' is not a whole number");
    }

    @Test
    @DisplayName("a corrupt model file fails with exit 1, naming the file")
    void corruptFile() throws Exception {
        Path bad = Files.write(tmp.resolve("bad.gguf"), "GGUF but not really".getBytes(StandardCharsets.UTF_8));
        assertThat(run("--model", bad.toString(), "--prompt", "x")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("bad.gguf");
    }
}
