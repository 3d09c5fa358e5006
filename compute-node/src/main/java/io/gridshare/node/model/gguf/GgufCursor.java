package io.gridshare.node.model.gguf;

import io.gridshare.node.model.ModelFormatException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Reads little-endian GGUF primitives from a mapped file, checking every read against the bytes
 * left so that a truncated or corrupt file ends in a {@link ModelFormatException} that names the
 * file and what was being read ({@link #context}), never in an out-of-bounds access or a huge
 * allocation.
 */
final class GgufCursor {

    /** Longest string or array a Java array can hold. */
    static final long MAX_JAVA_ARRAY = Integer.MAX_VALUE - 8;

    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    private final MemorySegment seg;
    private final long size;
    private long pos;
    private String context = "header";
    private byte[] scratch = new byte[256];

    GgufCursor(Path file, MemorySegment seg) {
        this.file = file;
        this.seg = seg;
        this.size = seg.byteSize();
    }

    /** What is being read, for error messages: "header", "metadata key 'x'", "tensor 'y'". */
    void context(String context) {
        this.context = context;
    }

    String context() {
        return context;
    }

    long position() {
        return pos;
    }

    long remaining() {
        return size - pos;
    }

    long size() {
        return size;
    }

    ModelFormatException error(String problem) {
        return new ModelFormatException(file, context + ": " + problem);
    }

    private void need(long n, String what) throws ModelFormatException {
        if (n > size - pos) {
            throw error("truncated file: " + what + " at byte " + pos + " needs " + n + " bytes but only "
                    + (size - pos) + " remain of " + size);
        }
    }

    int u8(String what) throws ModelFormatException {
        need(1, what);
        return seg.get(ValueLayout.JAVA_BYTE, pos++) & 0xFF;
    }

    int u16(String what) throws ModelFormatException {
        need(2, what);
        int v = seg.get(SHORT, pos) & 0xFFFF;
        pos += 2;
        return v;
    }

    /** An unsigned 32-bit value. */
    long u32(String what) throws ModelFormatException {
        need(4, what);
        long v = seg.get(INT, pos) & 0xFFFFFFFFL;
        pos += 4;
        return v;
    }

    /** A 64-bit value (the bit pattern; callers decide whether it is signed). */
    long u64(String what) throws ModelFormatException {
        need(8, what);
        long v = seg.get(LONG, pos);
        pos += 8;
        return v;
    }

    /**
     * A length-prefixed string, decoded as UTF-8; malformed sequences become U+FFFD instead of
     * failing, because a tokenizer entry with a stray byte must not make a model unreadable.
     */
    /**
     * Checks the length of string element {@code index} of an array against the bytes left and
     * steps over it; returns where its bytes start. (No message is built unless it fails: a
     * vocabulary has hundreds of thousands of elements.)
     */
    long skipString(int index) throws ModelFormatException {
        if (size - pos < 8) {
            throw error("string element " + index + " length at byte " + pos + " is cut off; the file is truncated");
        }
        long len = seg.get(LONG, pos);
        pos += 8;
        if (len < 0 || len > size - pos) {
            throw error("string element " + index + " length " + Long.toUnsignedString(len) + " at byte " + (pos - 8)
                    + " is more than the " + (size - pos) + " bytes left; the file is truncated or corrupt");
        }
        if (len > MAX_JAVA_ARRAY) {
            throw error("string element " + index + " of " + len + " bytes is longer than the supported " + MAX_JAVA_ARRAY);
        }
        long start = pos;
        pos += len;
        return start;
    }

    /** Strings whose bytes start at {@code offsets} in this file, decoded when read. */
    GgufStrings strings(long[] offsets) {
        return new GgufStrings(seg, offsets);
    }

    String string(String what) throws ModelFormatException {
        long len = u64(what + " length");
        if (len < 0 || len > size - pos) {
            throw error(what + " length " + Long.toUnsignedString(len) + " at byte " + (pos - 8)
                    + " is more than the " + (size - pos) + " bytes left; the file is truncated or corrupt");
        }
        if (len > MAX_JAVA_ARRAY) {
            throw error(what + " of " + len + " bytes is longer than the supported " + MAX_JAVA_ARRAY);
        }
        int n = (int) len;
        if (n == 0) {
            return "";
        }
        if (scratch.length < n) {
            scratch = new byte[Math.max(n, scratch.length * 2)];
        }
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, pos, scratch, 0, n);
        pos += n;
        return new String(scratch, 0, n, StandardCharsets.UTF_8);
    }

    /**
     * Checks that {@code count} items of at least {@code minBytes} each fit in the bytes left
     * before anything is allocated for them.
     */
    int count(long count, int minBytes, String what) throws ModelFormatException {
        if (count < 0 || count > (size - pos) / minBytes) {
            throw error(what + " " + Long.toUnsignedString(count) + " at byte " + (pos - 8)
                    + " is more than the " + (size - pos) + " bytes left could hold (at least " + minBytes
                    + " bytes each); the file is truncated or corrupt");
        }
        if (count > MAX_JAVA_ARRAY) {
            throw error(what + " " + count + " is more than the supported " + MAX_JAVA_ARRAY);
        }
        return (int) count;
    }

    void fill(byte[] out) throws ModelFormatException {
        need(out.length, "array data");
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, pos, out, 0, out.length);
        pos += out.length;
    }

    void fill(short[] out) throws ModelFormatException {
        need(2L * out.length, "array data");
        MemorySegment.copy(seg, SHORT, pos, out, 0, out.length);
        pos += 2L * out.length;
    }

    void fill(int[] out) throws ModelFormatException {
        need(4L * out.length, "array data");
        MemorySegment.copy(seg, INT, pos, out, 0, out.length);
        pos += 4L * out.length;
    }

    void fill(long[] out) throws ModelFormatException {
        need(8L * out.length, "array data");
        MemorySegment.copy(seg, LONG, pos, out, 0, out.length);
        pos += 8L * out.length;
    }

    void fill(float[] out) throws ModelFormatException {
        need(4L * out.length, "array data");
        MemorySegment.copy(seg, FLOAT, pos, out, 0, out.length);
        pos += 4L * out.length;
    }

    void fill(double[] out) throws ModelFormatException {
        need(8L * out.length, "array data");
        MemorySegment.copy(seg, DOUBLE, pos, out, 0, out.length);
        pos += 8L * out.length;
    }

    /** Skips to the next multiple of {@code alignment} (a power of two); may pass the end. */
    void align(long alignment) {
        pos += -pos & (alignment - 1);
    }
}
