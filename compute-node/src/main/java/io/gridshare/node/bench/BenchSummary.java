package io.gridshare.node.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The figures for one concurrency, over one or more repeated runs: percentiles over every job of
 * every run, aggregate rate and wall time as the median run has them.
 *
 * @param concurrency jobs started together in each run
 * @param runs how many times they were started
 * @param promptTokens the median prompt length the engine evaluated (BOS included)
 * @param tokens the tokens each job asked for
 * @param generatedTokens tokens produced by all jobs of all runs (fewer than asked when a job hit EOS)
 * @param aggregateTokensPerSecond median over runs of all tokens of a run over its wall time
 * @param perJobTokensPerSecondP50 median decode rate of one job (tokens after its first over the time after its first)
 * @param perJobTokensPerSecondMin the slowest job's decode rate
 * @param ttftMillisP50 median time from a job's submit to its first token
 * @param ttftMillisP99 99th percentile of the same (nearest rank)
 * @param prefillTokensPerSecond prompt tokens over the median TTFT: the prefill rate at concurrency 1,
 *     a contended one above it
 * @param wallSeconds median over runs of the time from the first submit to the last completion
 */
public record BenchSummary(int concurrency, int runs, int promptTokens, int tokens, long generatedTokens,
                           double aggregateTokensPerSecond, double perJobTokensPerSecondP50,
                           double perJobTokensPerSecondMin, double ttftMillisP50, double ttftMillisP99,
                           double prefillTokensPerSecond, double wallSeconds) {

    /** Summarizes the runs of one concurrency. */
    public static BenchSummary of(int concurrency, int tokens, List<RunResult> runs) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no runs to summarize for concurrency " + concurrency);
        }
        List<JobTiming> jobs = new ArrayList<>();
        runs.forEach(r -> jobs.addAll(r.jobs()));
        double[] rates = jobs.stream().mapToDouble(JobTiming::decodeTokensPerSecond).toArray();
        double[] ttft = jobs.stream().mapToDouble(j -> j.ttftNanos() / 1e6).toArray();
        double[] prompts = jobs.stream().mapToDouble(JobTiming::promptTokens).toArray();
        double[] aggregates = runs.stream().mapToDouble(RunResult::aggregateTokensPerSecond).toArray();
        double[] walls = runs.stream().mapToDouble(r -> r.wallNanos() / 1e9).toArray();
        int promptTokens = (int) percentile(prompts, 0.5);
        double ttftP50 = percentile(ttft, 0.5);
        return new BenchSummary(concurrency, runs.size(), promptTokens, tokens,
                runs.stream().mapToLong(RunResult::generatedTokens).sum(), percentile(aggregates, 0.5),
                percentile(rates, 0.5), Arrays.stream(rates).min().orElse(0), ttftP50, percentile(ttft, 0.99),
                ttftP50 > 0 ? promptTokens / (ttftP50 / 1e3) : 0, percentile(walls, 0.5));
    }

    /** Nearest-rank percentile: the smallest value with at least {@code p} of the values at or below it. */
    static double percentile(double[] values, double p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.clamp(rank - 1, 0, sorted.length - 1)];
    }
}
