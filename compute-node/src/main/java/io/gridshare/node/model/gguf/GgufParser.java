package io.gridshare.node.model.gguf;

import io.gridshare.node.model.ModelFormatException;
import io.gridshare.node.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Parses the header, metadata and tensor infos of a mapped GGUF file (v2 or v3, little-endian)
 * without touching tensor data. Every count is checked against the bytes left before anything is
 * allocated for it.
 */
final class GgufParser {

    static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
    static final long DEFAULT_ALIGNMENT = 32;
    static final long MAX_ALIGNMENT = 1L << 30;
    static final int MAX_DIMS = 4;
    /** Key length, type id and the smallest value (one byte). */
    private static final int MIN_KV_BYTES = 8 + 4 + 1;
    /** Name length, n_dims, one dim, type id, offset. */
    private static final int MIN_TENSOR_INFO_BYTES = 8 + 4 + 8 + 4 + 8;

    record Parsed(int version, GgufMetadata metadata, List<GgufTensorInfo> tensors, long alignment, long dataStart) {}

    private final Path file;
    private final GgufCursor in;

    private GgufParser(Path file, MemorySegment seg) {
        this.file = file;
        this.in = new GgufCursor(file, seg);
    }

    static Parsed parse(Path file, MemorySegment seg) throws ModelFormatException {
        return new GgufParser(file, seg).parse();
    }

    private Parsed parse() throws ModelFormatException {
        if (in.size() < 4) {
            throw in.error("truncated file: " + in.size() + " bytes, too short for the GGUF magic");
        }
        long magic = in.u32("magic");
        if (magic != MAGIC) {
            throw in.error(String.format("not a GGUF file: the first 4 bytes are %08x (little-endian), expected"
                    + " \"GGUF\"; only GGUF model files are supported", magic));
        }
        int version = version(in.u32("version"));
        long tensorCount = in.u64("tensor count");
        long kvCount = in.u64("metadata count");
        in.count(kvCount, MIN_KV_BYTES, "metadata count");
        in.count(tensorCount, MIN_TENSOR_INFO_BYTES, "tensor count");

        Map<String, GgufMetadata.Value> values = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            in.context("metadata entry " + i);
            String key = in.string("key");
            in.context("metadata key '" + key + "'");
            if (values.containsKey(key)) {
                throw in.error("duplicate key; a GGUF file must name each key once");
            }
            values.put(key, value());
        }
        GgufMetadata metadata = new GgufMetadata(file, values);
        long alignment = alignment(metadata);

        in.context("tensor infos");
        int n = in.count(tensorCount, MIN_TENSOR_INFO_BYTES, "tensor count");
        List<String> names = new ArrayList<>(n);
        List<long[]> dims = new ArrayList<>(n);
        List<GgmlType> types = new ArrayList<>(n);
        long[] offsets = new long[n];
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < n; i++) {
            in.context("tensor info " + i);
            String name = in.string("name");
            in.context("tensor '" + name + "'");
            if (seen.put(name, i) != null) {
                throw in.error("duplicate tensor name; a GGUF file must name each tensor once");
            }
            names.add(name);
            dims.add(dims());
            types.add(tensorType(in.u32("type")));
            offsets[i] = in.u64("offset");
        }
        in.context("data section");
        in.align(alignment);
        long dataStart = in.position();
        List<GgufTensorInfo> tensors = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            in.context("tensor '" + names.get(i) + "'");
            tensors.add(locate(names.get(i), types.get(i), dims.get(i), offsets[i], alignment, dataStart));
        }
        return new Parsed(version, metadata, List.copyOf(tensors), alignment, dataStart);
    }

    private int version(long version) throws ModelFormatException {
        if (version == 2 || version == 3) {
            return (int) version;
        }
        if (version == 1) {
            throw in.error("GGUF version 1 (from before August 2023) is not supported; supported versions are 2 and"
                    + " 3: convert the model again with a current llama.cpp");
        }
        if (Integer.reverseBytes((int) version) == 2 || Integer.reverseBytes((int) version) == 3) {
            throw in.error("big-endian GGUF files are not supported; use the little-endian file");
        }
        throw in.error("unsupported GGUF version " + version + "; supported versions are 2 and 3");
    }

    private GgufMetadata.Value value() throws ModelFormatException {
        ValueType type = valueType(in.u32("value type"), "value type");
        if (type != ValueType.ARRAY) {
            return new GgufMetadata.Value(type, null, scalar(type));
        }
        ValueType element = valueType(in.u32("array element type"), "array element type");
        if (element == ValueType.ARRAY) {
            throw in.error("arrays of arrays are not supported");
        }
        int count = in.count(in.u64("array count"), element.minBytes(), "array count");
        Object payload = switch (element) {
            case UINT8, INT8, BOOL -> fill(new byte[count]);
            case UINT16, INT16 -> fill(new short[count]);
            case UINT32, INT32 -> fill(new int[count]);
            case UINT64, INT64 -> fill(new long[count]);
            case FLOAT32 -> fill(new float[count]);
            case FLOAT64 -> fill(new double[count]);
            case STRING -> strings(count);
            case ARRAY -> throw new AssertionError();
        };
        return new GgufMetadata.Value(type, element, payload);
    }

    private Object scalar(ValueType type) throws ModelFormatException {
        return switch (type) {
            case UINT8 -> (long) in.u8("uint8 value");
            case INT8 -> (long) (byte) in.u8("int8 value");
            case UINT16 -> (long) in.u16("uint16 value");
            case INT16 -> (long) (short) in.u16("int16 value");
            case UINT32 -> in.u32("uint32 value");
            case INT32 -> (long) (int) in.u32("int32 value");
            case UINT64, INT64 -> in.u64("64-bit value");
            case FLOAT32 -> Float.intBitsToFloat((int) in.u32("float32 value"));
            case FLOAT64 -> Double.longBitsToDouble(in.u64("float64 value"));
            case BOOL -> in.u8("bool value") != 0;
            case STRING -> in.string("string value");
            case ARRAY -> throw new AssertionError();
        };
    }

    private GgufStrings strings(int count) throws ModelFormatException {
        long[] offsets = new long[count];
        for (int i = 0; i < count; i++) {
            offsets[i] = in.skipString(i);
        }
        return in.strings(offsets);
    }

    private byte[] fill(byte[] a) throws ModelFormatException { in.fill(a); return a; }
    private short[] fill(short[] a) throws ModelFormatException { in.fill(a); return a; }
    private int[] fill(int[] a) throws ModelFormatException { in.fill(a); return a; }
    private long[] fill(long[] a) throws ModelFormatException { in.fill(a); return a; }
    private float[] fill(float[] a) throws ModelFormatException { in.fill(a); return a; }
    private double[] fill(double[] a) throws ModelFormatException { in.fill(a); return a; }

    private ValueType valueType(long id, String what) throws ModelFormatException {
        Optional<ValueType> t = ValueType.byId(id);
        if (t.isEmpty()) {
            throw in.error("unknown " + what + " id " + id + "; GGUF defines ids 0 to 12 ("
                    + java.util.Arrays.toString(ValueType.values()) + ")");
        }
        return t.get();
    }

    private long alignment(GgufMetadata metadata) throws ModelFormatException {
        if (!metadata.contains("general.alignment")) {
            return DEFAULT_ALIGNMENT;
        }
        long a = metadata.requireInteger("general.alignment");
        if (a <= 0 || a > MAX_ALIGNMENT || Long.bitCount(a) != 1) {
            throw new ModelFormatException(file, "metadata key 'general.alignment': " + a
                    + " is not a power of two between 1 and " + MAX_ALIGNMENT);
        }
        return a;
    }

    private long[] dims() throws ModelFormatException {
        long rank = in.u32("n_dims");
        if (rank < 1 || rank > MAX_DIMS) {
            throw in.error("n_dims " + rank + " is outside 1.." + MAX_DIMS);
        }
        long[] dims = new long[(int) rank];
        for (int d = 0; d < rank; d++) {
            dims[d] = in.u64("dimension " + d);
            if (dims[d] <= 0) {
                throw in.error("dimension " + d + " is " + Long.toUnsignedString(dims[d])
                        + "; every dimension must be at least 1 and below 2^63");
            }
        }
        return dims;
    }

    private GgmlType tensorType(long id) throws ModelFormatException {
        Optional<GgmlType> t = id <= Integer.MAX_VALUE ? GgmlType.byId((int) id) : Optional.empty();
        if (t.isEmpty()) {
            throw in.error("ggml type id " + id + GgmlTypeNames.describe(id) + " is not supported; supported types are "
                    + GgmlType.supported() + "; use a model quantized to one of them");
        }
        return t.get();
    }

    private GgufTensorInfo locate(String name, GgmlType type, long[] dims, long offset, long alignment, long dataStart)
            throws ModelFormatException {
        long elements = 1;
        for (long d : dims) {
            try {
                elements = Math.multiplyExact(elements, d);
            } catch (ArithmeticException e) {
                throw in.error("shape " + java.util.Arrays.toString(dims) + " has more than 2^63 elements");
            }
        }
        if (dims[0] % type.blockElements() != 0) {
            throw in.error("row length " + dims[0] + " (shape " + java.util.Arrays.toString(dims)
                    + ") is not a whole number of " + type + " blocks of " + type.blockElements());
        }
        long bytes;
        try {
            bytes = type.bytesFor(elements);
        } catch (ArithmeticException e) {
            throw in.error("shape " + java.util.Arrays.toString(dims) + " of " + type + " needs more than 2^63 bytes");
        }
        if (offset < 0 || offset % alignment != 0) {
            throw in.error("data offset " + Long.toUnsignedString(offset) + " is not a multiple of the alignment "
                    + alignment);
        }
        long size = in.size();
        if (dataStart > size || offset > size - dataStart || bytes > size - dataStart - offset) {
            throw in.error("data at bytes " + Long.toUnsignedString(dataStart + offset) + " to "
                    + Long.toUnsignedString(dataStart + offset + bytes) + " (" + type + " "
                    + java.util.Arrays.toString(dims) + ") extends past the end of the file (" + size
                    + " bytes); the file is truncated or corrupt");
        }
        return new GgufTensorInfo(name, type, dims, dataStart + offset, bytes);
    }
}
