package io.gridshare.node.model.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * A metadata array of strings, read in place: the parser records where each string's bytes start
 * (one long per string, no more than the 8-byte length each string has in the file) and a string
 * is decoded from the mapped file when it is asked for. So the reader never holds more than the
 * file's own size for a string array, however many tiny strings a file packs in; what a
 * tokenizer later builds from a vocabulary is sized by the model's embedding table, which the
 * file must really contain.
 */
final class GgufStrings extends AbstractList<String> implements RandomAccess {

    private final MemorySegment file;
    /** Offset of string i's bytes; its length is the u64 just before them. */
    private final long[] offsets;

    GgufStrings(MemorySegment file, long[] offsets) {
        this.file = file;
        this.offsets = offsets;
    }

    @Override
    public String get(int index) {
        long start = offsets[index];
        int length = (int) file.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), start - 8);
        byte[] bytes = new byte[length];
        MemorySegment.copy(file, ValueLayout.JAVA_BYTE, start, bytes, 0, length);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public int size() {
        return offsets.length;
    }
}
