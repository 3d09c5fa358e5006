package io.gridshare.node.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes small models in llama2.c's formats for tests that need no trained weights: a checkpoint
 * of random weights from a fixed seed, and a tokenizer with the special tokens, the 256 byte
 * tokens, the printable ASCII characters and a few merges.
 */
public final class RandomModelFixture {

    /** Merges of the fixture tokenizer, in id order after the ASCII characters, with rising scores. */
    public static final List<String> MERGES = List.of("he", "ll", "llo", "hello", " hello", "or", "ld", "wor", "world", " world");

    private RandomModelFixture() {}

    /** Vocabulary size of {@link #writeTokenizer}'s tokenizer. */
    public static int tokenizerVocabSize() {
        return 3 + 256 + 95 + MERGES.size();
    }

    /** The pieces of the fixture tokenizer in id order. */
    public static List<String> pieces() {
        List<String> v = new ArrayList<>(List.of("<unk>", "\n<s>\n", "\n</s>\n"));
        for (int b = 0; b < 256; b++) {
            v.add(String.format("<0x%02X>", b));
        }
        for (char ch = 32; ch < 127; ch++) {
            v.add(String.valueOf(ch));
        }
        v.addAll(MERGES);
        return v;
    }

    public static Path writeTokenizer(Path file) throws IOException {
        List<String> pieces = pieces();
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(16);
        for (int i = 0; i < pieces.size(); i++) {
            byte[] b = pieces.get(i).getBytes(StandardCharsets.UTF_8);
            float score = i >= pieces.size() - MERGES.size() ? i - (pieces.size() - MERGES.size()) + 1 : (i < 259 ? 0f : -1f);
            buf.putFloat(score).putInt(b.length).put(b);
        }
        buf.flip();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(buf);
        }
        return file;
    }

    /**
     * Writes a checkpoint of {@code config}'s shape filled with random weights from {@code seed}:
     * norms near 1, matrices uniform in ±{@code 1/sqrt(cols)} so activations stay of order 1.
     */
    public static Path writeCheckpoint(Path file, LlamaConfig c, long seed) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        long floats = c.weightFloats();
        ByteBuffer buf = ByteBuffer.allocate(LlamaCheckpoint.HEADER_BYTES + (int) (4 * floats)).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(c.dim()).putInt(c.hiddenDim()).putInt(c.layers()).putInt(c.heads()).putInt(c.kvHeads())
                .putInt(c.sharedClassifier() ? c.vocabSize() : -c.vocabSize()).putInt(c.seqLen());
        int d = c.dim(), h = c.hiddenDim(), l = c.layers(), kv = c.kvDim();
        fill(buf, rnd, (long) c.vocabSize() * d, 1.0);     // token embedding
        norms(buf, rnd, (long) l * d);                      // rms_att
        fill(buf, rnd, (long) l * d * d, 1 / Math.sqrt(d)); // wq
        fill(buf, rnd, (long) l * d * kv, 1 / Math.sqrt(d)); // wk
        fill(buf, rnd, (long) l * d * kv, 1 / Math.sqrt(d)); // wv
        fill(buf, rnd, (long) l * d * d, 1 / Math.sqrt(d)); // wo
        norms(buf, rnd, (long) l * d);                      // rms_ffn
        fill(buf, rnd, (long) l * d * h, 1 / Math.sqrt(d)); // w1
        fill(buf, rnd, (long) l * h * d, 1 / Math.sqrt(h)); // w2
        fill(buf, rnd, (long) l * d * h, 1 / Math.sqrt(d)); // w3
        norms(buf, rnd, d);                                 // rms_final
        fill(buf, rnd, 2 * ((long) c.seqLen() * c.headSize() / 2), 1.0); // legacy freq_cis, never read
        if (!c.sharedClassifier()) {
            fill(buf, rnd, (long) c.vocabSize() * d, 1 / Math.sqrt(d));
        }
        buf.flip();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        }
        return file;
    }

    /** A small grouped-query model with an unshared classifier over the fixture tokenizer. */
    public static LlamaConfig smallConfig() {
        return new LlamaConfig(48, 100, 2, 6, 2, tokenizerVocabSize(), 64, false);
    }

    private static void fill(ByteBuffer buf, SplittableRandom rnd, long n, double scale) {
        for (long i = 0; i < n; i++) {
            buf.putFloat((float) ((rnd.nextDouble() * 2 - 1) * scale));
        }
    }

    private static void norms(ByteBuffer buf, SplittableRandom rnd, long n) {
        for (long i = 0; i < n; i++) {
            buf.putFloat((float) (0.8 + 0.4 * rnd.nextDouble()));
        }
    }
}
