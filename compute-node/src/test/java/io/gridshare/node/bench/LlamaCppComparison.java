package io.gridshare.node.bench;

import io.gridshare.node.engine.EngineConfig;
import io.gridshare.node.engine.Engines;
import io.gridshare.node.engine.InferenceEngine;
import io.gridshare.node.reference.BenchRates;
import io.gridshare.node.reference.LlamaCppReference;
import io.gridshare.node.reference.ParallelBenchRates;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Our engine against llama.cpp (node-llama-cpp 3.21.1, CPU, F32 KV cache) on the same GGUF files:
 * for each file and thread count, both load the file, then for each concurrency our
 * {@link ThroughputBench} (the code path of the node's {@code bench} command) and llama.cpp's
 * {@code benchParallel} run one after the other, so load drift on the machine hits both alike.
 * Prints markdown table rows: aggregate tokens per second (all generated tokens over the wall time
 * from the first submit to the last token, prefill included) and the ratio ours / llama.cpp; on the
 * concurrency-1 row also the prefill rate of a {@code --prefill-tokens} prompt (ours: prompt tokens
 * over the time to the first token; llama.cpp: its prompt evaluation alone).
 *
 * <p>Not a test: run it on a quiet machine, from the repository root, after a build of the module
 * (the node-llama-cpp install comes with {@code test-compile}):
 *
 * <pre>{@code
 * MAVEN_OPTS="--add-modules jdk.incubator.vector" ./mvnw -B -ntp -o -pl compute-node test-compile exec:java \
 *   -Dexec.classpathScope=test -Dexec.mainClass=io.gridshare.node.bench.LlamaCppComparison \
 *   -Dexec.args="--models /models/a.gguf,/models/b.gguf --threads 1,4 --concurrency 1,4,16 --tokens 128"
 * }</pre>
 *
 * or with a plain JVM ({@code cp.txt} from {@code ./mvnw -o -q -pl compute-node
 * dependency:build-classpath -Dmdep.outputFile=cp.txt -Dmdep.includeScope=test}):
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector \
 *   -cp compute-node/target/test-classes:compute-node/target/classes:$(cat compute-node/cp.txt) \
 *   io.gridshare.node.bench.LlamaCppComparison --models a.gguf --threads 1,4
 * }</pre>
 *
 * <p>Options: {@code --models F1,F2} (GGUF files, required), {@code --threads 1,4} (default 1),
 * {@code --concurrency 1,4,16}, {@code --tokens 128} (per job), {@code --prompt-tokens 32} (per job),
 * {@code --prefill-tokens 512} (capped by the model's context), {@code --repeat 1}.
 */
public final class LlamaCppComparison {

    /** The comparison's parameters; see the class documentation for the flags. */
    public record Options(List<Path> models, List<Integer> threads, List<Integer> concurrency, int tokens,
                          int promptTokens, int prefillTokens, int repeat) {

        public Options {
            models = List.copyOf(models);
            threads = List.copyOf(threads);
            concurrency = List.copyOf(concurrency);
            if (models.isEmpty()) {
                throw new IllegalArgumentException("--models F1.gguf,F2.gguf is required");
            }
            for (Path m : models) {
                if (!Files.isRegularFile(m) || !m.toString().endsWith(".gguf")) {
                    throw new IllegalArgumentException("--models: " + m + " is not a GGUF file (llama.cpp reads GGUF only)");
                }
            }
        }

        static Options parse(String[] args) {
            List<Path> models = List.of();
            List<Integer> threads = List.of(1), concurrency = List.of(1, 4, 16);
            int tokens = 128, promptTokens = 32, prefillTokens = 512, repeat = 1;
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                String value = args[++i];
                switch (flag) {
                    case "--models" -> models = Arrays.stream(value.split(",")).map(String::trim).map(Path::of).toList();
                    case "--threads" -> threads = ints(flag, value);
                    case "--concurrency" -> concurrency = ints(flag, value);
                    case "--tokens" -> tokens = ints(flag, value).getFirst();
                    case "--prompt-tokens" -> promptTokens = ints(flag, value).getFirst();
                    case "--prefill-tokens" -> prefillTokens = ints(flag, value).getFirst();
                    case "--repeat" -> repeat = ints(flag, value).getFirst();
                    default -> throw new IllegalArgumentException("unknown option " + flag + "; use --models --threads"
                            + " --concurrency --tokens --prompt-tokens --prefill-tokens --repeat");
                }
            }
            return new Options(models, threads, concurrency, tokens, promptTokens, prefillTokens, repeat);
        }

        /** The flags that give these options back. */
        String args() {
            return String.format(Locale.ROOT, "--models %s --threads %s --concurrency %s --tokens %d --prompt-tokens %d"
                            + " --prefill-tokens %d --repeat %d",
                    String.join(",", models.stream().map(p -> p.toAbsolutePath().toString()).toList()), join(threads),
                    join(concurrency), tokens, promptTokens, prefillTokens, repeat);
        }

        private static List<Integer> ints(String flag, String value) {
            try {
                List<Integer> list = Arrays.stream(value.split(",")).map(String::trim).map(Integer::parseInt).toList();
                if (list.stream().anyMatch(v -> v < 1)) {
                    throw new NumberFormatException();
                }
                return list;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " '" + value + "' must be positive whole numbers, comma-separated");
            }
        }

        private static String join(List<Integer> values) {
            return String.join(",", values.stream().map(String::valueOf).toList());
        }
    }

    private LlamaCppComparison() {}

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        run(options, System.out);
    }

    /** Runs every (file, threads) pair and prints the table to {@code out}. */
    public static void run(Options options, PrintStream out) throws Exception {
        out.println("<!-- MAVEN_OPTS=\"--add-modules jdk.incubator.vector\" ./mvnw -B -ntp -o -pl compute-node test-compile"
                + " exec:java -Dexec.classpathScope=test -Dexec.mainClass=" + LlamaCppComparison.class.getName()
                + " -Dexec.args=\"" + options.args() + "\" -->");
        out.printf(Locale.ROOT, "<!-- java %s, %d processors, load average %.2f; llama.cpp: node-llama-cpp 3.21.1 CPU,"
                        + " F32 KV cache; greedy, %d-token prompts, %d tokens per job -->%n", Runtime.version(),
                Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), options.promptTokens(), options.tokens());
        out.println();
        out.println("| model | type | threads | concurrency | ours tok/s | llama.cpp tok/s | ratio"
                + " | ours prefill tok/s | llama.cpp prefill tok/s |");
        out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        for (Path model : options.models()) {
            for (int threads : options.threads()) {
                compare(model, threads, options).forEach(out::println);
                out.flush();
            }
        }
    }

    private static List<String> compare(Path file, int threads, Options o) throws Exception {
        int maxConcurrency = o.concurrency().stream().mapToInt(Integer::intValue).max().orElseThrow();
        int context = Math.max(o.promptTokens() + o.tokens(), o.prefillTokens() + 1);
        EngineConfig config = EngineConfig.defaults(maxConcurrency).withBackend(EngineConfig.Backend.CPU)
                .withCpuThreads(threads).withContextLength(context);
        List<String> rows = new ArrayList<>();
        try (InferenceEngine engine = Engines.load(file, config);
             LlamaCppReference llama = LlamaCppReference.start(file, threads, context)) {
            // a model trained on a shorter context cannot take the full prefill prompt plus its one token
            int prefillTokens = Math.min(o.prefillTokens(), engine.model().contextLength() - 1);
            ThroughputBench ours = new ThroughputBench(engine, BenchPrompts.forModel(file),
                    new ThroughputBench.Settings(o.promptTokens(), o.tokens(), o.repeat()));
            ours.warmup();
            llama.benchParallel(o.promptTokens(), Math.min(16, o.tokens()), 1);
            double oursPrefill = ours.prefillTokensPerSecond(prefillTokens);
            BenchRates theirPrefill = llama.bench(prefillTokens, 1);
            String name = file.getFileName().toString();
            String type = engine.model().quantization();
            for (int c : o.concurrency()) {
                BenchSummary summary = ours.measure(c);
                double theirs = median(o.repeat(), () -> llama.benchParallel(o.promptTokens(), o.tokens(), c));
                double mine = summary.aggregateTokensPerSecond();
                rows.add(String.format(Locale.ROOT, "| %s | %s | %d | %d | %.1f | %.1f | %.2f | %s | %s |", name, type,
                        threads, c, mine, theirs, theirs > 0 ? mine / theirs : 0,
                        c == 1 ? String.format(Locale.ROOT, "%.1f (%d tok)", oursPrefill, prefillTokens) : "",
                        c == 1 ? String.format(Locale.ROOT, "%.1f", theirPrefill.prefillTokensPerSecond()) : ""));
            }
        }
        return rows;
    }

    private static double median(int runs, java.util.function.Supplier<ParallelBenchRates> run) {
        double[] rates = new double[runs];
        for (int i = 0; i < runs; i++) {
            rates[i] = run.get().aggregateTokensPerSecond();
        }
        return BenchSummary.percentile(rates, 0.5);
    }
}
