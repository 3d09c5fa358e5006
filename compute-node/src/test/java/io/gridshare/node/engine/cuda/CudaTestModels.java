package io.gridshare.node.engine.cuda;

import io.gridshare.node.engine.BackendSlot;
import io.gridshare.node.engine.ForwardBackend;
import io.gridshare.node.gpu.CudaDriverLibrary;
import io.gridshare.node.gpu.CudaDeviceDiscovery;
import io.gridshare.node.model.LlamaConfig;
import io.gridshare.node.model.ModelsDirectory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Fixtures of the CUDA tests: where the trained model lives, small random checkpoints, a greedy
 * loop over a {@link ForwardBackend} as run.c drives it, and run.c's decoding of the output.
 */
final class CudaTestModels {

    static final int BOS = 1;

    private CudaTestModels() {}

    /**
     * Set to {@code true} (as scripts/gpu-check.sh does) to make the GPU tests fail instead of
     * skipping when no GPU is usable, so a broken GPU host cannot pass by skipping.
     */
    static final String REQUIRE_GPU_PROPERTY = "gridshare.test.requireGpu";

    /** Why CUDA tests cannot run here, or empty when a GPU is usable. */
    static Optional<String> noGpuReason() {
        Optional<String> reason = probeGpu();
        if (reason.isPresent() && Boolean.getBoolean(REQUIRE_GPU_PROPERTY)) {
            throw new AssertionError(REQUIRE_GPU_PROPERTY + "=true but no GPU is usable: " + reason.get());
        }
        return reason;
    }

    private static Optional<String> probeGpu() {
        CudaDriverLibrary.Availability availability = CudaDriverLibrary.availability();
        if (!availability.available()) {
            return Optional.of("no CUDA driver on this host: " + availability.reason());
        }
        if (new CudaDeviceDiscovery().discover().isEmpty()) {
            return Optional.of("the CUDA driver reports no device");
        }
        return Optional.empty();
    }

    /**
     * The stories260K folder: in {@link ModelsDirectory#resolve()} ({@code -Dgridshare.models.dir},
     * {@code GRIDSHARE_MODELS_DIR}, {@code ../shared/models} beside the clone), else in
     * {@code shared/models} in the working directory or a parent.
     */
    static Optional<Path> stories260K() {
        Path resolved = ModelsDirectory.resolve().resolve("stories260K");
        if (Files.isRegularFile(resolved.resolve("stories260K.bin"))) {
            return Optional.of(resolved);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            for (Path candidate : List.of(dir.resolve("shared/models/stories260K"),
                    dir.resolve("../shared/models/stories260K"))) {
                if (Files.isRegularFile(candidate.resolve("stories260K.bin"))) {
                    return Optional.of(candidate.normalize());
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Writes a llama2.c checkpoint of the given shape with weights uniform in ±{@code 1/sqrt(dim)}
     * from a fixed seed (negative {@code vocab} = unshared classifier).
     */
    static Path randomCheckpoint(Path dir, int dim, int hidden, int layers, int heads, int kvHeads, int vocab,
                                 int seqLen, long seed) throws IOException {
        LlamaConfig c = new LlamaConfig(dim, hidden, layers, heads, kvHeads, Math.abs(vocab), seqLen, vocab > 0);
        Path file = dir.resolve("random-" + dim + "-" + hidden + "-" + layers + "-" + heads + "-" + kvHeads + "-"
                + vocab + "-" + seqLen + "-" + seed + ".bin");
        SplittableRandom random = new SplittableRandom(seed);
        float scale = (float) (1.0 / Math.sqrt(dim));
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer header = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN);
            header.putInt(dim).putInt(hidden).putInt(layers).putInt(heads).putInt(kvHeads).putInt(vocab).putInt(seqLen);
            out.write(header.flip());
            ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (long i = 0; i < c.weightFloats(); i++) {
                if (!chunk.hasRemaining()) {
                    out.write(chunk.flip());
                    chunk.clear();
                }
                chunk.putFloat((float) (random.nextDouble(-1.0, 1.0) * scale));
            }
            out.write(chunk.flip());
        }
        return file;
    }

    /**
     * Greedy generation from BOS as run.c does it for an empty prompt: {@code steps} forward
     * passes, argmax (first maximum), stop early when the model produces BOS.
     */
    static List<Integer> greedy(ForwardBackend backend, BackendSlot slot, int steps) {
        float[] logits = new float[backend.config().vocabSize()];
        List<Integer> tokens = new ArrayList<>();
        int token = BOS;
        for (int pos = 0; pos < steps; pos++) {
            backend.forward(slot, token, pos, logits);
            int next = argmax(logits);
            if (next == BOS) {
                break;
            }
            tokens.add(next);
            token = next;
        }
        return tokens;
    }

    static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The pieces of a llama2.c {@code tokenizer.bin}: max length, then (score, length, bytes) per token. */
    static byte[][] vocabulary(Path tokenizer, int vocabSize) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(tokenizer)).order(ByteOrder.LITTLE_ENDIAN);
        in.getInt();
        byte[][] pieces = new byte[vocabSize][];
        for (int i = 0; i < vocabSize; i++) {
            in.getFloat();
            pieces[i] = new byte[in.getInt()];
            in.get(pieces[i]);
        }
        return pieces;
    }

    /**
     * What run.c prints for {@code tokens} generated after BOS: each piece decoded as its
     * {@code decode()} does (leading space dropped after BOS, {@code <0xXX>} as the raw byte),
     * filtered as {@code safe_printf} does, then the final newline.
     */
    static String runCOutput(byte[][] vocabulary, List<Integer> tokens) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int previous = BOS;
        for (int token : tokens) {
            byte[] piece = vocabulary[token];
            int start = previous == BOS && piece.length > 0 && piece[0] == ' ' ? 1 : 0;
            String text = new String(piece, start, piece.length - start, StandardCharsets.ISO_8859_1);
            byte[] bytes;
            if (text.matches("<0x[0-9A-Fa-f]{2}>")) {
                bytes = new byte[] {(byte) Integer.parseInt(text.substring(3, 5), 16)};
            } else {
                bytes = text.getBytes(StandardCharsets.ISO_8859_1);
            }
            boolean printable = bytes.length != 1 || isPrintOrSpace(bytes[0] & 0xff);
            if (bytes.length > 0 && printable) {
                out.writeBytes(bytes);
            }
            previous = token;
        }
        out.write('\n');
        return out.toString(StandardCharsets.UTF_8);
    }

    private static boolean isPrintOrSpace(int b) {
        return (b >= 0x20 && b < 0x7f) || b == ' ' || (b >= '\t' && b <= '\r');
    }
}
