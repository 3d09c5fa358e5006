package io.gridshare.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridshare.node.model.TestModels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BenchCommandTest {

    private static final List<String> KEYS = List.of("model", "quantization", "backend", "threads", "concurrency",
            "repeat", "prompt_tokens", "prompt_tokens_exact", "tokens", "generated_tokens", "aggregate_tok_s",
            "per_job_tok_s_p50", "per_job_tok_s_min", "ttft_ms_p50", "ttft_ms_p99", "prefill_tok_s", "wall_s",
            "resident_bytes");


    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return BenchCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private List<JsonNode> jsonLines() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            lines.add(mapper.readTree(line));
        }
        return lines;
    }

    @Test
    @DisplayName("--json prints one object per concurrency with real tokens, consistent rates and memory")
    void jsonLinesPerConcurrency() throws Exception {
        int code = run("--model", TestModels.stories260K().checkpoint().toString(), "--backend", "cpu",
                "--tokens", "16", "--concurrency", "1,2", "--prompt-tokens", "12", "--json");

        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isEqualTo(0);
        List<JsonNode> lines = jsonLines();
        assertThat(lines).hasSize(2);
        for (int i = 0; i < 2; i++) {
            JsonNode line = lines.get(i);
            int c = i + 1;
            assertThat(line.fieldNames()).toIterable().containsAll(KEYS);
            assertThat(line.get("concurrency").asInt()).isEqualTo(c);
            assertThat(line.get("model").asText()).isEqualTo("stories260K");
            assertThat(line.get("backend").asText()).isEqualTo("cpu");
            assertThat(line.get("tokens").asInt()).isEqualTo(16);
            // stories260K does not end a story within 16 tokens, so every job produced all of them
            assertThat(line.get("generated_tokens").asLong()).isEqualTo(16L * c);
            assertThat(line.get("prompt_tokens_exact").asBoolean()).isTrue();
            assertThat(line.get("prompt_tokens").asInt()).isBetween(9, 12);
            for (String key : List.of("aggregate_tok_s", "per_job_tok_s_p50", "per_job_tok_s_min", "ttft_ms_p50",
                    "ttft_ms_p99", "prefill_tok_s", "wall_s", "resident_bytes", "threads")) {
                assertThat(line.get(key).isNumber()).as(key).isTrue();
                assertThat(line.get(key).asDouble()).as(key).isPositive();
            }
            double wall = line.get("wall_s").asDouble();
            assertThat(line.get("aggregate_tok_s").asDouble()).isCloseTo(16.0 * c / wall,
                    org.assertj.core.data.Percentage.withPercentage(1));
            assertThat(line.get("per_job_tok_s_min").asDouble()).isLessThanOrEqualTo(line.get("per_job_tok_s_p50").asDouble());
            assertThat(line.get("ttft_ms_p50").asDouble()).isLessThanOrEqualTo(line.get("ttft_ms_p99").asDouble())
                    .isLessThan(wall * 1e3);
        }
        JsonNode two = lines.get(1);
        assertThat(two.get("aggregate_tok_s").asDouble()).isGreaterThanOrEqualTo(two.get("per_job_tok_s_p50").asDouble() * 0.5);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("bench: stories260K");
    }

    @Test
    @DisplayName("without --json a table with a header and one row per concurrency is printed")
    void humanTable() {
        int code = run("--model", TestModels.stories260K().checkpoint().toString(), "--backend", "cpu",
                "--tokens", "4", "--concurrency", "3", "--no-warmup");

        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isEqualTo(0);
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).contains("agg tok/s").contains("ttft p50");
        assertThat(lines[1].trim()).startsWith("3 ");
    }

    @Test
    @DisplayName("bad flags exit 2 and say what is wrong")
    void badFlags() {
        String model = TestModels.stories260K().checkpoint().toString();
        assertThat(run("--tokens", "4")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--model FILE is required").contains("usage: bench");
        err.reset();
        assertThat(run("--model", model, "--concurrency", "1,x")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--concurrency '1,x' must be a comma-separated list");
        err.reset();
        assertThat(run("--model", model, "--concurrency", "0")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--concurrency values must be at least 1");
        err.reset();
        assertThat(run("--model", model, "--tokens", "0")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--tokens must be at least 1");
        err.reset();
        assertThat(run("--model", model, "--fast")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option '--fast'");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    @DisplayName("jobs the engine refuses (prompt and tokens beyond the context) exit 1 saying why")
    void refusedJobsExit1() {
        int code = run("--model", TestModels.stories260K().checkpoint().toString(), "--backend", "cpu",
                "--tokens", "600", "--concurrency", "1", "--no-warmup");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("job refused (CONTEXT_TOO_LONG)").contains("--context");
    }

    @Test
    @DisplayName("--ttft-under-load times new jobs while others decode, as one more JSON line")
    void ttftUnderLoad() throws Exception {
        int code = run("--model", TestModels.stories260K().checkpoint().toString(), "--backend", "cpu",
                "--tokens", "8", "--concurrency", "1", "--json", "--no-warmup", "--ttft-under-load", "3",
                "--probe-prompt-tokens", "20");
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        JsonNode load = jsonLines().getLast();
        assertThat(load.get("ttft_under_load").asBoolean()).isTrue();
        assertThat(load.get("background_jobs").asInt()).isEqualTo(3);
        assertThat(load.get("probes").asInt()).isEqualTo(10);
        assertThat(load.get("ttft_ms_p50").asDouble()).isPositive()
                .isLessThanOrEqualTo(load.get("ttft_ms_p99").asDouble());
    }
}
