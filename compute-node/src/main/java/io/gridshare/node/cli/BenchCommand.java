package io.gridshare.node.cli;

import io.gridshare.node.bench.BenchPrompts;
import io.gridshare.node.bench.BenchSummary;
import io.gridshare.node.bench.ThroughputBench;
import io.gridshare.node.engine.BackendUnavailableException;
import io.gridshare.node.engine.EngineConfig;
import io.gridshare.node.engine.Engines;
import io.gridshare.node.engine.InferenceEngine;
import io.gridshare.node.engine.JobRefusedException;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench --model FILE [--tokens N] [--concurrency 1,4,16] [--prompt-tokens N] [--repeat R]
 * [--json] [--no-warmup] [--backend auto|cpu|cuda] [--context N] [--threads N]}: loads a model once
 * with as many slots as the highest concurrency, warms the JIT up with short jobs for about two
 * seconds ({@link ThroughputBench#warmup()}), then for each concurrency starts that many greedy
 * jobs at once (distinct prompts) and reports aggregate and per-job rates, time to first token and
 * resident memory. With {@code --json} each concurrency is one JSON object on one line of stdout;
 * without it, a table. Progress and the load go to stderr.
 */
public final class BenchCommand {

    static final String USAGE = "usage: bench --model FILE [--tokens N] [--concurrency 1,4,16] [--prompt-tokens N]"
            + " [--repeat R] [--json] [--warmup|--no-warmup] [--ttft-under-load N [--probe-prompt-tokens N]]"
            + " [--backend auto|cpu|cuda] [--context N] [--threads N]";

    private BenchCommand() {}

    /** Runs the command; returns the process exit code (0 ok, 1 failed, 2 bad arguments). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        ModelOptions options;
        List<Integer> concurrency;
        ThroughputBench.Settings settings;
        EngineConfig config;
        try {
            options = ModelOptions.parse(args, List.of("--tokens", "--concurrency", "--prompt-tokens", "--repeat",
                    "--ttft-under-load", "--probe-prompt-tokens"), List.of("--json", "--warmup", "--no-warmup"));
            concurrency = concurrency(options.value("--concurrency"));
            settings = new ThroughputBench.Settings(positive(options, "--prompt-tokens", 32),
                    positive(options, "--tokens", 128), positive(options, "--repeat", 1));
            int underLoad = options.intValue("--ttft-under-load", 0);
            if (underLoad < 0) {
                throw new IllegalArgumentException("--ttft-under-load must be 0 (off) or the number of jobs decoding, was " + underLoad);
            }
            config = options.engineConfig(Math.max(underLoad + 1,
                    concurrency.stream().mapToInt(Integer::intValue).max().orElseThrow()));
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.println(USAGE);
            return 2;
        }
        boolean json = options.flag("--json");
        try (InferenceEngine engine = Engines.load(options.model(), config)) {
            BenchPrompts prompts = BenchPrompts.forModel(options.model());
            BenchOutput.Setup setup = new BenchOutput.Setup(engine.model().name(), engine.model().quantization(),
                    engine.backend().name(), config.effectiveCpuThreads(), prompts.exact());
            err.printf(Locale.ROOT, "bench: %s (%s) on %s (%s), %d slots, %d threads; prompts of %s%d tokens%n",
                    setup.model(), setup.quantization(), setup.backend(), engine.backend().detail(), config.slots(),
                    setup.threads(), prompts.exact() ? "" : "about ", settings.promptTokens());
            ThroughputBench bench = new ThroughputBench(engine, prompts, settings);
            if (!options.flag("--no-warmup")) {
                long start = System.nanoTime();
                int jobs = bench.warmup();
                err.printf(Locale.ROOT, "warm-up: %d short job(s) in %.1f s%n", jobs, (System.nanoTime() - start) / 1e9);
            }
            if (!json) {
                out.println(BenchOutput.TABLE_HEADER);
            }
            for (int c : concurrency) {
                BenchSummary summary = bench.measure(c);
                long resident = ResidentMemory.bytes();
                out.println(json ? BenchOutput.json(setup, summary, resident) : BenchOutput.row(summary, resident));
                out.flush();
            }
            int background = options.intValue("--ttft-under-load", 0);
            if (background > 0) {
                int probePrompt = positive(options, "--probe-prompt-tokens", settings.promptTokens());
                // long enough to outlast the probes, within the served context
                int backgroundTokens = Math.min(Math.max(settings.tokens() * 8, 512),
                        engine.model().contextLength() - settings.promptTokens() - 8);
                long[] ttft = bench.ttftUnderLoad(background, UNDER_LOAD_PROBES, probePrompt, backgroundTokens);
                out.println(BenchOutput.underLoad(setup, background, probePrompt, ttft, json));
            }
            return 0;
        } catch (JobRefusedException e) {
            err.println("job refused (" + e.reason() + "): " + e.getMessage()
                    + "; lower --concurrency, --prompt-tokens or --tokens, or raise --context");
            return 1;
        } catch (IOException | BackendUnavailableException e) {
            err.println("cannot load " + options.model() + ": " + e.getMessage());
            return 1;
        } catch (IllegalStateException e) {
            err.println("bench failed: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** New jobs timed, one after another, while the background jobs decode. */
    static final int UNDER_LOAD_PROBES = 10;

    private static int positive(ModelOptions options, String name, int fallback) {
        int value = options.intValue(name, fallback);
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, was " + value);
        }
        return value;
    }

    static List<Integer> concurrency(String text) {
        if (text == null) {
            return List.of(1, 4, 16);
        }
        List<Integer> values = new ArrayList<>();
        for (String part : text.split(",")) {
            int value;
            try {
                value = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--concurrency '" + text
                        + "' must be a comma-separated list of whole numbers, e.g. 1,4,16");
            }
            if (value < 1) {
                throw new IllegalArgumentException("--concurrency values must be at least 1, was " + value);
            }
            values.add(value);
        }
        return List.copyOf(values);
    }
}
