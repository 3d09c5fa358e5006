package io.gridshare.node.cli;

import io.gridshare.node.bench.BenchSummary;
import java.util.Locale;

/**
 * How {@code bench} prints one concurrency's figures: a JSON object on one line (snake_case keys,
 * numbers as JSON numbers) or a row of a fixed-width table.
 */
final class BenchOutput {

    /** What the figures were measured on. */
    record Setup(String model, String quantization, String backend, int threads, boolean promptLengthExact) {}

    static final String TABLE_HEADER = String.format(Locale.ROOT, "%4s %10s %10s %10s %10s %10s %10s %8s %9s",
            "jobs", "agg tok/s", "job p50", "job min", "ttft p50", "ttft p99", "prefill", "wall s", "RSS MiB");

    private BenchOutput() {}

    static String json(Setup setup, BenchSummary s, long residentBytes) {
        return "{\"model\":" + quote(setup.model())
                + ",\"quantization\":" + quote(setup.quantization())
                + ",\"backend\":" + quote(setup.backend())
                + ",\"threads\":" + setup.threads()
                + ",\"concurrency\":" + s.concurrency()
                + ",\"repeat\":" + s.runs()
                + ",\"prompt_tokens\":" + s.promptTokens()
                + ",\"prompt_tokens_exact\":" + setup.promptLengthExact()
                + ",\"tokens\":" + s.tokens()
                + ",\"generated_tokens\":" + s.generatedTokens()
                + ",\"aggregate_tok_s\":" + number(s.aggregateTokensPerSecond())
                + ",\"per_job_tok_s_p50\":" + number(s.perJobTokensPerSecondP50())
                + ",\"per_job_tok_s_min\":" + number(s.perJobTokensPerSecondMin())
                + ",\"ttft_ms_p50\":" + number(s.ttftMillisP50())
                + ",\"ttft_ms_p99\":" + number(s.ttftMillisP99())
                + ",\"prefill_tok_s\":" + number(s.prefillTokensPerSecond())
                + ",\"wall_s\":" + number(s.wallSeconds())
                + ",\"resident_bytes\":" + residentBytes + "}";
    }

    static String row(BenchSummary s, long residentBytes) {
        return String.format(Locale.ROOT, "%4d %10.1f %10.1f %10.1f %10.1f %10.1f %10.1f %8.2f %9d", s.concurrency(),
                s.aggregateTokensPerSecond(), s.perJobTokensPerSecondP50(), s.perJobTokensPerSecondMin(),
                s.ttftMillisP50(), s.ttftMillisP99(), s.prefillTokensPerSecond(), s.wallSeconds(), residentBytes >> 20);
    }

    /** The time to first token of new jobs while {@code background} others decode, as JSON or a line. */
    static String underLoad(Setup setup, int background, int probePromptTokens, long[] ttftNanos, boolean json) {
        double[] ms = java.util.Arrays.stream(ttftNanos).mapToDouble(n -> n / 1e6).sorted().toArray();
        double p50 = ms[(ms.length - 1) / 2];
        double p99 = ms[(int) Math.ceil(0.99 * ms.length) - 1];
        if (json) {
            return "{\"model\":" + quote(setup.model()) + ",\"ttft_under_load\":true,\"background_jobs\":" + background
                    + ",\"probes\":" + ms.length + ",\"probe_prompt_tokens\":" + probePromptTokens
                    + ",\"ttft_ms_p50\":" + number(p50) + ",\"ttft_ms_p99\":" + number(p99)
                    + ",\"ttft_ms_max\":" + number(ms[ms.length - 1]) + "}";
        }
        return String.format(java.util.Locale.ROOT, "TTFT of a new %d-token job while %d others decode: p50 %.1f ms,"
                + " p99 %.1f ms, max %.1f ms (%d probes)", probePromptTokens, background, p50, p99, ms[ms.length - 1], ms.length);
    }

    private static String number(double value) {
        // JSON has no NaN or infinity; a rate that could not be measured is 0
        if (!Double.isFinite(value)) {
            return "0";
        }
        // six significant digits: a short run's wall time in seconds keeps its precision
        return new java.math.BigDecimal(value).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
    }

    private static String quote(String text) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
