package io.gridshare.node.bench;

import io.gridshare.node.engine.EngineConfig;
import io.gridshare.node.engine.Engines;
import io.gridshare.node.engine.GeneratedToken;
import io.gridshare.node.engine.InferenceEngine;
import io.gridshare.node.engine.JobOutcome;
import io.gridshare.node.engine.JobRequest;
import io.gridshare.node.engine.SamplingParams;
import io.gridshare.node.engine.TokenSink;
import io.gridshare.node.model.gguf.GgufWriter;
import io.gridshare.node.reference.LlamaCppReference;
import io.gridshare.node.tensor.GgmlQuantizer;
import io.gridshare.node.tensor.GgmlType;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * Decode speed of the CPU engine against llama.cpp on the same GGUF file with the same thread
 * count (not a test: it prints one line per type and thread count). The model is Llama-shaped with
 * random weights (dim 2048, 32 heads, 8 KV heads, FFN 5632, 4 layers, vocabulary 32000: about 300M
 * weights, every matrix in the type under test), written once into {@code target/decode-bench/}.
 *
 * <p>Ours: a greedy job of {@link #TOKENS} tokens after a warm-up job, timed from the second token
 * to the last (the first includes the prompt). llama.cpp: node-llama-cpp's bench over the same
 * number of one-token steps. The two alternate, {@code --reps} times (default 3), and the medians
 * are printed with the load average, since the machine may be shared.
 *
 * <p>Arguments: {@code [--types Q8_0,Q4_K,F16] [--threads 1,2] [--reps N] [--layers N]}.
 */
public final class DecodeBenchmark {

    private static final int TOKENS = 96;
    private static final int DIM = 2048, HEADS = 32, KV_HEADS = 8, HIDDEN = 5632, VOCAB = 32000, CONTEXT = 512;
    private static final String PROMPT = "Once upon a time";

    public static void main(String[] args) throws Exception {
        List<GgmlType> types = List.of(GgmlType.Q8_0, GgmlType.Q4_K, GgmlType.F16);
        int[] threads = {1, 2};
        int reps = 3, layers = 4;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--types" -> types = Arrays.stream(args[++i].split(",")).map(GgmlType::valueOf).toList();
                case "--threads" -> threads = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--layers" -> layers = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; use --types Q8_0,Q4_K,F16 --threads 1,2 --reps N --layers N");
            }
        }
        System.out.printf(Locale.ROOT, "java %s, %d processors; %d tokens per run, %d reps%n", Runtime.version(),
                Runtime.getRuntime().availableProcessors(), TOKENS, reps);
        for (GgmlType type : types) {
            Path file = model(type, layers);
            for (int t : threads) {
                double[] ours = new double[reps], llama = new double[reps];
                double load = 0;
                try (InferenceEngine engine = Engines.load(file, EngineConfig.defaults(1).withCpuThreads(t)
                        .withBackend(EngineConfig.Backend.CPU).withContextLength(CONTEXT));
                        LlamaCppReference ref = LlamaCppReference.start(file, t, CONTEXT)) {
                    decode(engine);
                    ref.bench(8, 16);
                    for (int r = 0; r < reps; r++) {
                        ours[r] = decode(engine);
                        llama[r] = ref.bench(8, TOKENS).decodeTokensPerSecond();
                        load += ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage() / reps;
                    }
                }
                double o = median(ours), l = median(llama);
                System.out.printf(Locale.ROOT, "%-5s threads %d: ours %6.2f tok/s, llama.cpp %6.2f tok/s, ratio %.2f"
                        + "  (ours %s, llama.cpp %s; load average %.1f)%n", type, t, o, l, o / l,
                        fmt(ours), fmt(llama), load);
            }
        }
    }

    /** Tokens per second from the second generated token to the last. */
    private static double decode(InferenceEngine engine) throws Exception {
        long[] at = new long[TOKENS];
        int[] n = {0};
        CompletableFuture<JobOutcome> done = new CompletableFuture<>();
        engine.submit(JobRequest.of("decode", PROMPT, TOKENS, SamplingParams.greedy()), new TokenSink() {
            @Override
            public void onToken(GeneratedToken token) {
                at[n[0]++] = System.nanoTime();
            }

            @Override
            public void onFinished(JobOutcome outcome) {
                done.complete(outcome);
            }
        });
        JobOutcome outcome = done.get();
        int last = n[0] - 1;
        if (outcome.error() != null || last < 8) {
            throw new IllegalStateException("the decode job ended early: " + outcome);
        }
        return last / ((at[last] - at[0]) / 1e9);
    }

    /** The benchmark model in {@code type}, written on first use. */
    static Path model(GgmlType type, int layers) throws Exception {
        Path dir = Path.of("target", "decode-bench");
        Path file = dir.resolve("llama-" + DIM + "x" + layers + "-" + type + ".gguf");
        if (Files.isRegularFile(file)) {
            return file;
        }
        Files.createDirectories(dir);
        System.out.printf("writing %s ...%n", file);
        int kvDim = DIM / HEADS * KV_HEADS;
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", "llama")
                .putString("general.name", "decode-bench-" + type)
                .putUInt32("general.file_type", fileType(type))
                .putUInt32("llama.context_length", CONTEXT)
                .putUInt32("llama.embedding_length", DIM)
                .putUInt32("llama.block_count", layers)
                .putUInt32("llama.feed_forward_length", HIDDEN)
                .putUInt32("llama.attention.head_count", HEADS)
                .putUInt32("llama.attention.head_count_kv", KV_HEADS)
                .putUInt32("llama.rope.dimension_count", DIM / HEADS)
                .putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
                .putFloat32("llama.rope.freq_base", 10000f)
                .putUInt32("llama.vocab_size", VOCAB);
        vocabulary(w);
        SplittableRandom rnd = new SplittableRandom(2048);
        matrix(w, "token_embd.weight", type, VOCAB, DIM, rnd);
        for (int l = 0; l < layers; l++) {
            String p = "blk." + l + ".";
            norm(w, p + "attn_norm.weight");
            matrix(w, p + "attn_q.weight", type, DIM, DIM, rnd);
            matrix(w, p + "attn_k.weight", type, kvDim, DIM, rnd);
            matrix(w, p + "attn_v.weight", type, kvDim, DIM, rnd);
            matrix(w, p + "attn_output.weight", type, DIM, DIM, rnd);
            norm(w, p + "ffn_norm.weight");
            matrix(w, p + "ffn_gate.weight", type, HIDDEN, DIM, rnd);
            matrix(w, p + "ffn_down.weight", type, DIM, HIDDEN, rnd);
            matrix(w, p + "ffn_up.weight", type, HIDDEN, DIM, rnd);
        }
        norm(w, "output_norm.weight");
        matrix(w, "output.weight", type, VOCAB, DIM, rnd);
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        w.write(tmp);
        Files.move(tmp, file);
        return file;
    }

    private static int fileType(GgmlType type) {
        return switch (type) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q8_0 -> 7;
            case Q4_K -> 15;
            case Q5_K -> 17;
            case Q6_K -> 18;
            case BF16 -> 32;
        };
    }

    /** A SentencePiece-style vocabulary: unknown, BOS, EOS, the 256 byte tokens, then made-up pieces. */
    private static void vocabulary(GgufWriter w) {
        List<String> tokens = new ArrayList<>(VOCAB);
        float[] scores = new float[VOCAB];
        int[] kinds = new int[VOCAB];
        tokens.add("<unk>");
        kinds[0] = 2;
        tokens.add("<s>");
        kinds[1] = 3;
        tokens.add("</s>");
        kinds[2] = 3;
        for (int b = 0; b < 256; b++) {
            kinds[tokens.size()] = 6;
            tokens.add(String.format("<0x%02X>", b));
        }
        String letters = "etaoinshrdlucmfwypvbgkjqxz";
        for (int i = 0; tokens.size() < VOCAB; i++) {
            StringBuilder piece = new StringBuilder(i % 2 == 0 ? "\u2581" : "");
            for (int v = i / 2; ; v /= letters.length()) {
                piece.append(letters.charAt(v % letters.length()));
                if (v < letters.length()) {
                    break;
                }
            }
            scores[tokens.size()] = -i;
            kinds[tokens.size()] = 1;
            tokens.add(piece.toString());
        }
        w.putString("tokenizer.ggml.model", "llama")
                .putStringArray("tokenizer.ggml.tokens", tokens)
                .putFloat32Array("tokenizer.ggml.scores", scores)
                .putInt32Array("tokenizer.ggml.token_type", kinds)
                .putUInt32("tokenizer.ggml.bos_token_id", 1)
                .putUInt32("tokenizer.ggml.eos_token_id", 2)
                .putUInt32("tokenizer.ggml.unknown_token_id", 0)
                .putBool("tokenizer.ggml.add_bos_token", true)
                .putBool("tokenizer.ggml.add_eos_token", false);
    }

    private static void norm(GgufWriter w, String name) {
        float[] ones = new float[DIM];
        Arrays.fill(ones, 1f);
        w.addTensor(name, GgmlType.F32, new long[] {DIM}, GgmlQuantizer.quantize(GgmlType.F32, ones, DIM));
    }

    private static void matrix(GgufWriter w, String name, GgmlType type, int rows, int cols, SplittableRandom rnd) {
        float[] v = new float[rows * cols];
        double std = 1 / Math.sqrt(cols);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextDouble(-1.7, 1.7) * std);
        }
        w.addTensor(name, type, new long[] {cols, rows}, GgmlQuantizer.quantize(type, v, cols));
    }

    private static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String fmt(double[] a) {
        StringBuilder b = new StringBuilder();
        for (double v : a) {
            b.append(b.isEmpty() ? "" : " ").append(String.format(Locale.ROOT, "%.2f", v));
        }
        return "[" + b + "]";
    }
}
