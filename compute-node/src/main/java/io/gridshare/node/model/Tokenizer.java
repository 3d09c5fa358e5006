package io.gridshare.node.model;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A llama2.c {@code tokenizer.bin}: an int32 max_token_length, then for every token a float32
 * merge score, an int32 byte length and the token's bytes (all little-endian). Encoding and
 * decoding follow llama2.c's {@code run.c} byte for byte: a dummy-prefix space token before a
 * non-empty text, one token per UTF-8 code point found in the vocabulary (else one byte-fallback
 * token {@code <0xXX>} = id {@code byte + 3} per byte), then repeated merging of the adjacent
 * pair whose concatenation is the vocabulary entry with the highest score.
 */
public final class Tokenizer {

    public static final int BOS = 1;
    public static final int EOS = 2;
    /** Byte-fallback tokens {@code <0x00>..<0xFF>} start at this id. */
    public static final int BYTE_FALLBACK_OFFSET = 3;

    private final Path path;
    private final byte[][] vocab;
    private final float[] scores;
    private final int maxTokenLength;
    /** vocabulary entries as ISO-8859-1 strings (one char per byte) to their first id. */
    private final Map<String, Integer> ids;
    private final int dummyPrefix;

    private Tokenizer(Path path, byte[][] vocab, float[] scores, int maxTokenLength) {
        this.path = path;
        this.vocab = vocab;
        this.scores = scores;
        this.maxTokenLength = maxTokenLength;
        this.ids = new HashMap<>(vocab.length * 2);
        for (int i = vocab.length - 1; i >= 0; i--) {
            ids.put(new String(vocab[i], StandardCharsets.ISO_8859_1), i); // lowest id wins, like bsearch on unique entries
        }
        Integer space = ids.get(" ");
        this.dummyPrefix = space == null ? -1 : space;
    }

    /**
     * Loads a tokenizer that must have exactly {@code expectedVocabSize} entries (the model's
     * vocab_size).
     *
     * @throws ModelFormatException naming the file when it is truncated, corrupt, or its
     *     vocabulary size differs from the model's
     */
    public static Tokenizer load(Path path, int expectedVocabSize) throws IOException {
        Tokenizer t = load(path);
        if (t.vocabSize() != expectedVocabSize) {
            throw new ModelFormatException(path, "tokenizer/model vocabulary mismatch: the tokenizer has "
                    + t.vocabSize() + " tokens but the checkpoint's vocab_size is " + expectedVocabSize
                    + "; use the tokenizer the checkpoint was trained with");
        }
        return t;
    }

    /** Loads a tokenizer, reading entries up to the end of the file. */
    public static Tokenizer load(Path path) throws IOException {
        long size;
        try {
            size = Files.size(path);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(path, "tokenizer file does not exist; run `models pull` or set gridshare.models.dir");
        }
        if (size < 4) {
            throw new ModelFormatException(path, "truncated tokenizer: " + size + " bytes, shorter than its 4-byte header");
        }
        ValueLayout.OfInt intLe = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        ValueLayout.OfFloat floatLe = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            int maxLen = seg.get(intLe, 0);
            if (maxLen <= 0 || maxLen > 1 << 16) {
                throw new ModelFormatException(path, "corrupt tokenizer: max_token_length " + maxLen + " is outside [1, 65536]");
            }
            byte[][] vocab = new byte[Math.min(1 << 16, (int) (size / 8))][];
            float[] scores = new float[vocab.length];
            int n = 0;
            long off = 4;
            while (off < size) {
                if (size - off < 8) {
                    throw new ModelFormatException(path, "truncated tokenizer: token " + n + " at byte " + off
                            + " has only " + (size - off) + " of its 8 header bytes");
                }
                float score = seg.get(floatLe, off);
                int len = seg.get(intLe, off + 4);
                if (len < 0 || len > maxLen) {
                    throw new ModelFormatException(path, "corrupt tokenizer: token " + n + " at byte " + off
                            + " has length " + len + ", outside [0, max_token_length " + maxLen + "]");
                }
                if (size - off - 8 < len) {
                    throw new ModelFormatException(path, "truncated tokenizer: token " + n + " needs " + len
                            + " bytes but the file ends after " + (size - off - 8));
                }
                if (Float.isNaN(score)) {
                    throw new ModelFormatException(path, "corrupt tokenizer: token " + n + " has a NaN score");
                }
                if (n == vocab.length) {
                    vocab = Arrays.copyOf(vocab, n * 2);
                    scores = Arrays.copyOf(scores, n * 2);
                }
                vocab[n] = seg.asSlice(off + 8, len).toArray(ValueLayout.JAVA_BYTE);
                scores[n] = score;
                n++;
                off += 8 + len;
            }
            if (n < BYTE_FALLBACK_OFFSET + 256) {
                throw new ModelFormatException(path, "corrupt tokenizer: " + n + " tokens, fewer than the "
                        + (BYTE_FALLBACK_OFFSET + 256) + " that <unk>, <s>, </s> and the 256 byte tokens need");
            }
            return new Tokenizer(path, Arrays.copyOf(vocab, n), Arrays.copyOf(scores, n), maxLen);
        }
    }

    public Path path() {
        return path;
    }

    public int vocabSize() {
        return vocab.length;
    }

    public int maxTokenLength() {
        return maxTokenLength;
    }

    /** The raw bytes of a vocabulary entry (a copy). */
    public byte[] token(int id) {
        return vocab[id].clone();
    }

    public float score(int id) {
        return scores[id];
    }

    /** Encodes UTF-8 text; see {@link #encode(byte[], boolean, boolean)}. */
    public int[] encode(String text, boolean bos, boolean eos) {
        return encode(text.getBytes(StandardCharsets.UTF_8), bos, eos);
    }

    /**
     * Encodes raw bytes exactly as run.c's {@code encode}. Bytes that are not valid UTF-8 are
     * grouped the way run.c groups them (a lead byte and up to three continuation bytes) and,
     * when the group is not a vocabulary entry, become byte-fallback tokens.
     */
    public int[] encode(byte[] text, boolean bos, boolean eos) {
        int[] tokens = new int[text.length + 3];
        int n = 0;
        if (bos) {
            tokens[n++] = BOS;
        }
        if (text.length > 0) {
            if (dummyPrefix < 0) {
                throw new IllegalStateException(path + ": the vocabulary has no \" \" token for the dummy prefix");
            }
            tokens[n++] = dummyPrefix;
        }
        byte[] buf = new byte[4];
        int len = 0;
        for (int i = 0; i < text.length; i++) {
            byte b = text[i];
            if ((b & 0xC0) != 0x80) {
                len = 0; // a lead (or ASCII) byte starts a new code point
            }
            buf[len++] = b;
            if (i + 1 < text.length && (text[i + 1] & 0xC0) == 0x80 && len < 4) {
                continue;
            }
            Integer id = ids.get(new String(buf, 0, len, StandardCharsets.ISO_8859_1));
            if (id != null) {
                tokens[n++] = id;
            } else {
                for (int j = 0; j < len; j++) {
                    tokens[n++] = (buf[j] & 0xFF) + BYTE_FALLBACK_OFFSET;
                }
            }
            len = 0;
        }
        while (true) {
            float bestScore = -1e10f;
            int bestId = -1, bestIdx = -1;
            for (int i = 0; i < n - 1; i++) {
                byte[] a = vocab[tokens[i]], b = vocab[tokens[i + 1]];
                byte[] merged = Arrays.copyOf(a, a.length + b.length);
                System.arraycopy(b, 0, merged, a.length, b.length);
                Integer id = ids.get(new String(merged, StandardCharsets.ISO_8859_1));
                if (id != null && scores[id] > bestScore) {
                    bestScore = scores[id];
                    bestId = id;
                    bestIdx = i;
                }
            }
            if (bestIdx == -1) {
                break;
            }
            tokens[bestIdx] = bestId;
            System.arraycopy(tokens, bestIdx + 2, tokens, bestIdx + 1, n - bestIdx - 2);
            n--;
        }
        if (eos) {
            tokens[n++] = EOS;
        }
        return Arrays.copyOf(tokens, n);
    }

    /**
     * The bytes {@code token} adds after {@code previous}, as run.c's {@code decode}: a leading
     * space is dropped right after BOS, and {@code <0xXX>} entries stand for the raw byte XX.
     */
    public byte[] decode(int previous, int token) {
        byte[] piece = vocab[token];
        int from = (previous == BOS && piece.length > 0 && piece[0] == ' ') ? 1 : 0;
        if (from == 0 && piece.length == 6 && piece[0] == '<' && piece[1] == '0' && piece[2] == 'x' && piece[5] == '>') {
            int hi = Character.digit(piece[3], 16), lo = Character.digit(piece[4], 16);
            if (hi >= 0 && lo >= 0) {
                return new byte[] {(byte) (hi * 16 + lo)};
            }
        }
        return from == 0 ? piece.clone() : Arrays.copyOfRange(piece, from, piece.length);
    }

    /** Decodes a whole token sequence (the first token's predecessor is {@code previous}) to text. */
    public String decodeAll(int previous, int[] tokens) {
        Utf8Assembler out = new Utf8Assembler();
        StringBuilder sb = new StringBuilder();
        for (int t : tokens) {
            sb.append(out.append(decode(previous, t)));
            previous = t;
        }
        return sb.append(out.finish()).toString();
    }
}
