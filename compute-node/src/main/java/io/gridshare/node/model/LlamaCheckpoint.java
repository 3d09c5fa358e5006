package io.gridshare.node.model;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A llama2.c checkpoint, memory-mapped read-only: a 7-int32 little-endian header (dim,
 * hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size — negative for an unshared classifier —
 * seq_len), then float32 weights in llama2.c's order. The weights are never copied onto the Java
 * heap; each accessor returns a slice of the mapping (float32, little-endian).
 *
 * <p>Closing unmaps the file; slices must not be used afterwards.
 */
public final class LlamaCheckpoint implements AutoCloseable {

    public static final int HEADER_BYTES = 7 * Integer.BYTES;
    /** Little-endian float32, the element layout of every tensor slice. */
    public static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    // Limits far above any model a node could run on the CPU; they turn a corrupt header into a
    // clear error before any size arithmetic can overflow.
    static final int MAX_DIM = 1 << 16;
    static final int MAX_HIDDEN_DIM = 1 << 18;
    static final int MAX_LAYERS = 1 << 10;
    static final int MAX_HEADS = 1 << 10;
    static final int MAX_VOCAB = 1 << 22;
    static final int MAX_SEQ_LEN = 1 << 20;

    private final Path path;
    private final LlamaConfig config;
    private final Arena arena;
    private final MemorySegment file;

    private final long tokenEmbedding, rmsAtt, wq, wk, wv, wo, rmsFfn, w1, w2, w3, rmsFinal, wcls;

    private LlamaCheckpoint(Path path, LlamaConfig config, Arena arena, MemorySegment file) {
        this.path = path;
        this.config = config;
        this.arena = arena;
        this.file = file;
        long d = config.dim(), h = config.hiddenDim(), l = config.layers(), v = config.vocabSize();
        long kv = config.kvDim();
        long off = HEADER_BYTES;
        tokenEmbedding = off; off += 4 * v * d;
        rmsAtt = off; off += 4 * l * d;
        wq = off; off += 4 * l * d * d;
        wk = off; off += 4 * l * d * kv;
        wv = off; off += 4 * l * d * kv;
        wo = off; off += 4 * l * d * d;
        rmsFfn = off; off += 4 * l * d;
        w1 = off; off += 4 * l * d * h;
        w2 = off; off += 4 * l * h * d;
        w3 = off; off += 4 * l * d * h;
        rmsFinal = off; off += 4 * d;
        off += 4 * 2 * ((long) config.seqLen() * config.headSize() / 2);
        wcls = config.sharedClassifier() ? tokenEmbedding : off;
    }

    /**
     * Maps a checkpoint and checks its header and size.
     *
     * @throws ModelFormatException naming the file when the header is negative or absurd, the
     *     heads do not divide the width, or the file is shorter or longer than the header implies
     */
    public static LlamaCheckpoint open(Path path) throws IOException {
        long size;
        try {
            size = Files.size(path);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(path, "checkpoint file does not exist; run `models pull` or set gridshare.models.dir");
        }
        if (size < HEADER_BYTES) {
            throw new ModelFormatException(path, "truncated checkpoint: " + size + " bytes, shorter than the 28-byte header");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            LlamaConfig config = parseHeader(path, seg);
            long expected = HEADER_BYTES + 4 * config.weightFloats();
            if (size < expected) {
                throw new ModelFormatException(path, "truncated checkpoint: " + size + " bytes, but its header "
                        + describe(config) + " needs " + expected + " bytes; download it again");
            }
            if (size > expected) {
                throw new ModelFormatException(path, "corrupt checkpoint: " + size + " bytes, but its header "
                        + describe(config) + " needs exactly " + expected + " bytes (" + (size - expected)
                        + " unexpected trailing bytes); is this a llama2.c v0 checkpoint?");
            }
            return new LlamaCheckpoint(path, config, arena, seg);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static LlamaConfig parseHeader(Path path, MemorySegment seg) throws ModelFormatException {
        ValueLayout.OfInt le = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        int dim = seg.get(le, 0), hidden = seg.get(le, 4), layers = seg.get(le, 8), heads = seg.get(le, 12);
        int kvHeads = seg.get(le, 16), vocab = seg.get(le, 20), seqLen = seg.get(le, 24);
        check(path, "dim", dim, MAX_DIM);
        check(path, "hidden_dim", hidden, MAX_HIDDEN_DIM);
        check(path, "n_layers", layers, MAX_LAYERS);
        check(path, "n_heads", heads, MAX_HEADS);
        check(path, "n_kv_heads", kvHeads, MAX_HEADS);
        if (vocab == 0 || vocab == Integer.MIN_VALUE || Math.abs(vocab) > MAX_VOCAB) {
            throw new ModelFormatException(path, "corrupt checkpoint header: vocab_size " + vocab
                    + " is outside ±[1, " + MAX_VOCAB + "]");
        }
        check(path, "seq_len", seqLen, MAX_SEQ_LEN);
        if (dim % heads != 0 || (dim / heads) % 2 != 0) {
            throw new ModelFormatException(path, "corrupt checkpoint header: dim " + dim + " is not n_heads " + heads
                    + " times an even head size");
        }
        if (kvHeads > heads || heads % kvHeads != 0) {
            throw new ModelFormatException(path, "corrupt checkpoint header: n_kv_heads " + kvHeads
                    + " does not divide n_heads " + heads);
        }
        return new LlamaConfig(dim, hidden, layers, heads, kvHeads, Math.abs(vocab), seqLen, vocab > 0);
    }

    private static void check(Path path, String name, int value, int max) throws ModelFormatException {
        if (value <= 0 || value > max) {
            throw new ModelFormatException(path, "corrupt checkpoint header: " + name + " " + value
                    + " is outside [1, " + max + "]");
        }
    }

    private static String describe(LlamaConfig c) {
        return "(dim " + c.dim() + ", hidden_dim " + c.hiddenDim() + ", n_layers " + c.layers() + ", n_heads "
                + c.heads() + ", n_kv_heads " + c.kvHeads() + ", vocab_size " + c.vocabSize()
                + (c.sharedClassifier() ? "" : " unshared") + ", seq_len " + c.seqLen() + ")";
    }

    public Path path() {
        return path;
    }

    public LlamaConfig config() {
        return config;
    }

    /** The whole mapped file, header included. */
    public MemorySegment file() {
        return file;
    }

    private MemorySegment slice(long base, long floatsPerLayer, int layer) {
        return file.asSlice(base + 4 * floatsPerLayer * layer, 4 * floatsPerLayer);
    }

    private MemorySegment all(long base, long floatsPerLayer) {
        return file.asSlice(base, 4 * floatsPerLayer * config.layers());
    }

    /** [vocab][dim] token embedding table. */
    public MemorySegment tokenEmbedding() {
        return file.asSlice(tokenEmbedding, 4L * config.vocabSize() * config.dim());
    }

    /** [dim] attention RMSNorm weights of one layer. */
    public MemorySegment rmsAtt(int layer) {
        return slice(rmsAtt, config.dim(), layer);
    }

    /** [dim rows][dim] query projection of one layer (row-major, one row per output). */
    public MemorySegment wq(int layer) {
        return slice(wq, (long) config.dim() * config.dim(), layer);
    }

    /** [kvDim rows][dim] key projection of one layer. */
    public MemorySegment wk(int layer) {
        return slice(wk, (long) config.dim() * config.kvDim(), layer);
    }

    /** [kvDim rows][dim] value projection of one layer. */
    public MemorySegment wv(int layer) {
        return slice(wv, (long) config.dim() * config.kvDim(), layer);
    }

    /** [dim rows][dim] attention output projection of one layer. */
    public MemorySegment wo(int layer) {
        return slice(wo, (long) config.dim() * config.dim(), layer);
    }

    /** [dim] feed-forward RMSNorm weights of one layer. */
    public MemorySegment rmsFfn(int layer) {
        return slice(rmsFfn, config.dim(), layer);
    }

    /** [hiddenDim rows][dim] gate projection of one layer. */
    public MemorySegment w1(int layer) {
        return slice(w1, (long) config.dim() * config.hiddenDim(), layer);
    }

    /** [dim rows][hiddenDim] down projection of one layer. */
    public MemorySegment w2(int layer) {
        return slice(w2, (long) config.dim() * config.hiddenDim(), layer);
    }

    /** [hiddenDim rows][dim] up projection of one layer. */
    public MemorySegment w3(int layer) {
        return slice(w3, (long) config.dim() * config.hiddenDim(), layer);
    }

    /** [dim] final RMSNorm weights. */
    public MemorySegment rmsFinal() {
        return file.asSlice(rmsFinal, 4L * config.dim());
    }

    /** [vocab rows][dim] classifier; the token embedding table when the checkpoint shares it. */
    public MemorySegment classifier() {
        return file.asSlice(wcls, 4L * config.vocabSize() * config.dim());
    }

    /** All layers of one tensor kind at once, e.g. for a single upload to a device. */
    public MemorySegment allLayers(String tensor) {
        long d = config.dim(), h = config.hiddenDim(), kv = config.kvDim();
        return switch (tensor) {
            case "rms_att" -> all(rmsAtt, d);
            case "wq" -> all(wq, d * d);
            case "wk" -> all(wk, d * kv);
            case "wv" -> all(wv, d * kv);
            case "wo" -> all(wo, d * d);
            case "rms_ffn" -> all(rmsFfn, d);
            case "w1" -> all(w1, d * h);
            case "w2" -> all(w2, h * d);
            case "w3" -> all(w3, d * h);
            default -> throw new IllegalArgumentException("unknown tensor " + tensor
                    + "; expected one of rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3");
        };
    }

    /** Copies a tensor slice into a new float array (for small tensors and tests, not the hot path). */
    public static float[] toFloats(MemorySegment tensor) {
        float[] out = new float[(int) (tensor.byteSize() / 4)];
        MemorySegment.copy(tensor, FLOAT_LE, 0, out, 0, out.length);
        return out;
    }

    @Override
    public void close() {
        arena.close();
    }
}
