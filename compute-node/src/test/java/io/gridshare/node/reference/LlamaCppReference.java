package io.gridshare.node.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * llama.cpp as the tests' reference: a {@code node llama-reference.mjs} child process (node-llama-cpp
 * 3.21.1, prebuilt CPU binaries, F32 KV cache) holding one GGUF model, driven over JSON lines.
 *
 * <p>The package is installed by the build ({@code src/test/node/install.sh}, phase
 * generate-test-resources). Calls are serialized; each evaluation starts from an empty context.
 */
public final class LlamaCppReference implements AutoCloseable {

    private static final Path NODE_DIR = Path.of("src", "test", "node");
    private static final String SCRIPT = "llama-reference.mjs";

    private final JsonLinesProcess process;
    private final int threads;
    private int bos;
    private int eos;
    private int contextSize;

    private LlamaCppReference(JsonLinesProcess process, int threads, JsonNode loaded) {
        this.process = process;
        this.threads = threads;
        loaded(loaded);
    }

    private void loaded(JsonNode loaded) {
        this.bos = loaded.path("bos").asInt(-1);
        this.eos = loaded.path("eos").asInt(-1);
        this.contextSize = loaded.path("contextSize").asInt();
    }

    /**
     * Replaces the loaded model with {@code ggufModel} in the same process (saves starting node and
     * llama.cpp again when a test walks through many models), with the same thread count.
     */
    public void load(Path ggufModel, int contextSize) {
        if (!Files.isRegularFile(ggufModel)) {
            throw new IllegalArgumentException("GGUF model not found: " + ggufModel.toAbsolutePath());
        }
        loaded(process.call(process.newRequest("load")
                .put("model", ggufModel.toAbsolutePath().toString())
                .put("threads", threads)
                .put("contextSize", contextSize)));
    }

    /**
     * Starts llama.cpp on {@code ggufModel} with {@code threads} CPU threads and a context of
     * {@code contextSize} tokens (prompt plus generated tokens must fit; nothing is shifted out).
     * Prefer one thread on a shared machine: llama.cpp's workers spin at every op's barrier, so a
     * descheduled thread stalls the others (stories260K went from seconds to minutes with two threads).
     */
    public static LlamaCppReference start(Path ggufModel, int threads, int contextSize) {
        if (!Files.isRegularFile(ggufModel)) {
            throw new IllegalArgumentException("GGUF model not found: " + ggufModel.toAbsolutePath());
        }
        Path nodeDir = nodeDir();
        Path installed = nodeDir.resolve("node_modules/node-llama-cpp/package.json");
        if (!Files.isRegularFile(installed)) {
            throw new IllegalStateException("node-llama-cpp is not installed in " + nodeDir + ": run `bash "
                    + nodeDir.resolve("install.sh") + "` (the build does it in generate-test-resources unless -DskipTests)");
        }
        Path node = findOnPath("node").orElseThrow(() -> new IllegalStateException(
                "node not found on PATH: install Node.js 20+ to run the llama.cpp reference"));
        JsonLinesProcess process = JsonLinesProcess.start("llama.cpp",
                List.of(node.toString(), nodeDir.resolve(SCRIPT).toString()));
        try {
            ObjectNode load = process.newRequest("load")
                    .put("model", ggufModel.toAbsolutePath().toString())
                    .put("threads", threads)
                    .put("contextSize", contextSize);
            return new LlamaCppReference(process, threads, process.call(load));
        } catch (RuntimeException e) {
            process.close();
            throw e;
        }
    }

    /** The BOS token id from the model's vocabulary, or -1 when it has none. */
    public int bos() {
        return bos;
    }

    /** The EOS token id from the model's vocabulary, or -1 when it has none. */
    public int eos() {
        return eos;
    }

    /** The context length llama.cpp allocated (at least the one asked for). */
    public int contextSize() {
        return contextSize;
    }

    /**
     * llama.cpp's tokenization of each text. {@code special}: text such as {@code <s>} becomes the
     * control token instead of its characters. {@code addBos}: the BOS id is put first (node-llama-cpp
     * itself never adds it; llama.cpp's leading-space prefix applies either way).
     */
    public List<int[]> tokenize(List<String> texts, boolean special, boolean addBos) {
        ObjectNode request = process.newRequest("tokenize").put("special", special).put("addBos", addBos);
        texts.forEach(request.putArray("texts")::add);
        List<int[]> result = new ArrayList<>();
        for (JsonNode tokens : process.call(request).get("tokens")) {
            result.add(ints(tokens));
        }
        return result;
    }

    /** The text of {@code tokens}, control tokens rendered as nothing, the first piece's leading space dropped. */
    public String detokenize(int[] tokens) {
        return detokenize(tokens, false);
    }

    /** Like {@link #detokenize(int[])}; {@code special} renders control tokens as their text ({@code <s>}). */
    public String detokenize(int[] tokens, boolean special) {
        ObjectNode request = process.newRequest("detokenize").put("special", special);
        putInts(request.putArray("tokens"), tokens);
        return process.call(request).get("text").asText();
    }

    /**
     * The greedy (argmax) continuation of {@code prompt}: {@code maxTokens} tokens, or fewer ending with
     * the end-of-generation token when the model produces one.
     */
    public int[] greedy(int[] prompt, int maxTokens) {
        ObjectNode request = process.newRequest("greedy").put("maxTokens", maxTokens);
        putInts(request.putArray("tokens"), prompt);
        return ints(process.call(request).get("tokens"));
    }

    /**
     * Evaluates {@code tokens} in one pass; element i holds the {@code topK} most likely tokens to follow
     * {@code tokens[0..i]}, with their log-probabilities.
     */
    public List<TopTokens> teacherForced(int[] tokens, int topK) {
        ObjectNode request = process.newRequest("teacherForced").put("topK", topK);
        putInts(request.putArray("tokens"), tokens);
        List<TopTokens> result = new ArrayList<>(tokens.length);
        for (JsonNode position : process.call(request).get("positions")) {
            JsonNode logprobs = position.get("logprobs");
            float[] values = new float[logprobs.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) logprobs.get(i).asDouble();
            }
            result.add(new TopTokens(ints(position.get("ids")), values));
        }
        return result;
    }

    /** Prefill rate of a BOS-first prompt of {@code promptTokens}, then decode rate over {@code generateTokens} one-token steps. */
    public BenchRates bench(int promptTokens, int generateTokens) {
        JsonNode answer = process.call(process.newRequest("bench")
                .put("promptTokens", promptTokens)
                .put("generateTokens", generateTokens));
        return new BenchRates(answer.get("promptTokens").asInt(), answer.get("generatedTokens").asInt(),
                answer.get("prefillTokensPerSecond").asDouble(), answer.get("decodeTokensPerSecond").asDouble());
    }

    /**
     * {@code sequences} prompts of {@code promptTokens} tokens (distinct, BOS first) decoded together in
     * a fresh context of {@code sequences} sequences (F32 KV cache), {@code generateTokens} greedy tokens
     * each; node-llama-cpp batches the sequences' pending tokens into one llama_decode per step.
     */
    public ParallelBenchRates benchParallel(int promptTokens, int generateTokens, int sequences) {
        JsonNode answer = process.call(process.newRequest("benchParallel")
                .put("promptTokens", promptTokens)
                .put("generateTokens", generateTokens)
                .put("sequences", sequences));
        List<ParallelBenchRates.Sequence> perSequence = new ArrayList<>();
        for (JsonNode s : answer.get("perSequence")) {
            perSequence.add(new ParallelBenchRates.Sequence(s.get("ttftMs").asDouble(), s.get("generatedTokens").asInt(),
                    s.get("tokensPerSecond").asDouble()));
        }
        return new ParallelBenchRates(answer.get("sequences").asInt(), answer.get("promptTokens").asInt(),
                answer.get("generatedTokens").asInt(), answer.get("wallSeconds").asDouble(),
                answer.get("aggregateTokensPerSecond").asDouble(), perSequence);
    }

    /** The model's chat template (GGUF tokenizer.chat_template), if it has one. */
    public Optional<String> chatTemplate() {
        JsonNode template = process.call(process.newRequest("chatTemplate")).get("template");
        return template == null || template.isNull() ? Optional.empty() : Optional.of(template.asText());
    }

    /** Ends the llama.cpp process. */
    @Override
    public void close() {
        process.close();
    }

    // Maven runs tests in the module directory; an IDE may run them from the repository root.
    private static Path nodeDir() {
        Path here = Path.of("").toAbsolutePath();
        for (Path candidate : List.of(here.resolve(NODE_DIR), here.resolve("compute-node").resolve(NODE_DIR))) {
            if (Files.isRegularFile(candidate.resolve(SCRIPT))) {
                return candidate;
            }
        }
        throw new IllegalStateException(SCRIPT + " not found under " + here + " or " + here.resolve("compute-node")
                + ": run the tests from the compute-node module directory");
    }

    private static Optional<Path> findOnPath(String executable) {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
        return Stream.of(path.split(File.pathSeparator))
                .filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, executable))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private static int[] ints(JsonNode array) {
        int[] values = new int[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asInt();
        }
        return values;
    }

    private static void putInts(ArrayNode array, int[] values) {
        for (int value : values) {
            array.add(value);
        }
    }
}
