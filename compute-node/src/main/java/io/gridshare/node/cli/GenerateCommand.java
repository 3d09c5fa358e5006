package io.gridshare.node.cli;

import io.gridshare.node.chat.ChatMessage;
import io.gridshare.node.engine.BackendUnavailableException;
import io.gridshare.node.engine.EngineConfig;
import io.gridshare.node.engine.Engines;
import io.gridshare.node.engine.GeneratedToken;
import io.gridshare.node.engine.InferenceEngine;
import io.gridshare.node.engine.Job;
import io.gridshare.node.engine.JobOutcome;
import io.gridshare.node.engine.JobRefusedException;
import io.gridshare.node.engine.JobRequest;
import io.gridshare.node.engine.SamplingParams;
import io.gridshare.node.engine.TokenSink;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;

/**
 * {@code generate --model FILE --prompt TEXT --max-tokens N --temperature T [--backend cpu|cuda|auto]
 * [--chat] [--context N] [--threads N] [--top-p P] [--seed N]}: runs one job on a local model, the
 * way an operator tries a model with llama.cpp's CLI before joining the network. The completion
 * alone goes to standard output as it streams (not the prompt); load time, token counts and speeds
 * go to standard error.
 */
public final class GenerateCommand {

    static final String USAGE = "usage: generate --model FILE --prompt TEXT [--max-tokens N] [--temperature T]"
            + " [--top-p P] [--seed N] [--chat] [--backend auto|cpu|cuda] [--context N] [--threads N]";

    private GenerateCommand() {}

    /** Runs the command; returns the process exit code (0 ok, 1 failed, 2 bad arguments). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        ModelOptions options;
        try {
            options = ModelOptions.parse(args, List.of("--prompt", "--max-tokens", "--temperature", "--top-p", "--seed"),
                    List.of("--chat"));
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.println(USAGE);
            return 2;
        }
        String prompt = options.value("--prompt");
        if (prompt == null) {
            err.println("--prompt is required");
            err.println(USAGE);
            return 2;
        }
        int maxTokens;
        SamplingParams sampling;
        try {
            maxTokens = options.intValue("--max-tokens", 256);
            float temperature = options.floatValue("--temperature", 0f);
            float topP = options.floatValue("--top-p", 0.9f);
            long seed = options.longValue("--seed", 42L);
            sampling = new SamplingParams(temperature, topP, seed);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
        long loadStart = System.nanoTime();
        try (InferenceEngine engine = Engines.load(options.model(), options.engineConfig(1))) {
            long loaded = System.nanoTime();
            err.printf(Locale.ROOT, "model %s (%s) loaded in %.0f ms on %s: %s%n", engine.model().name(),
                    engine.model().modelHash().substring(0, 12), (loaded - loadStart) / 1e6, engine.backend().name(),
                    engine.backend().detail());
            JobRequest request = options.flag("--chat")
                    ? new JobRequest("generate", "", List.of(), maxTokens, sampling, List.of(new ChatMessage("user", prompt)))
                    : JobRequest.of("generate", prompt, maxTokens, sampling);
            Stats stats = new Stats(out);
            long start = System.nanoTime();
            Job job = engine.submit(request, stats);
            JobOutcome outcome = job.completion().get();
            out.flush();
            long end = System.nanoTime();
            if (outcome.error() != null) {
                err.println("generation failed: " + outcome.error());
                return 1;
            }
            double prefillMs = (stats.firstTokenNanos - start) / 1e6;
            double decodeSeconds = (end - stats.firstTokenNanos) / 1e9;
            err.printf(Locale.ROOT, "%n%d prompt tokens, %d generated (%s); prefill %.1f ms (%.1f tok/s), decode %.2f tok/s;"
                            + " resident %d MiB%n",
                    outcome.promptTokens(), outcome.generatedTokens(), outcome.reason().name().toLowerCase(Locale.ROOT),
                    prefillMs, outcome.promptTokens() / (prefillMs / 1e3),
                    stats.count > 1 ? (stats.count - 1) / decodeSeconds : 0.0, ResidentMemory.bytes() >> 20);
            return 0;
        } catch (JobRefusedException e) {
            err.println("job refused: " + e.getMessage());
            return 1;
        } catch (IOException | BackendUnavailableException e) {
            err.println("cannot load " + options.model() + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (ExecutionException e) {
            err.println("generation failed: " + e.getCause());
            return 1;
        }
    }

    /** Streams text to stdout and notes when the first token came. */
    private static final class Stats implements TokenSink {
        private final PrintStream out;
        volatile long firstTokenNanos;
        volatile int count;

        Stats(PrintStream out) {
            this.out = out;
        }

        @Override
        public void onToken(GeneratedToken token) {
            if (count++ == 0) {
                firstTokenNanos = System.nanoTime();
            }
            byte[] text = token.text().getBytes(StandardCharsets.UTF_8);
            out.write(text, 0, text.length);
            out.flush();
        }

        @Override
        public void onFinished(JobOutcome outcome) {
            if (count == 0) {
                firstTokenNanos = System.nanoTime();
            }
        }
    }

    /** Path of a model argument, for tests. */
    static Path model(String[] args) {
        return ModelOptions.parse(args, List.of(), List.of()).model();
    }
}
