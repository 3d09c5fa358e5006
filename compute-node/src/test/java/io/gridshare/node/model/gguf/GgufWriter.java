package io.gridshare.node.model.gguf;

import io.gridshare.node.tensor.GgmlType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds GGUF files for tests: metadata of every value type, tensors with their data, the data
 * section aligned to {@code general.alignment} (32 unless set), version 3 unless told otherwise.
 *
 * <p>Besides valid files it can write the broken ones a reader must refuse: {@link #putRaw} stores
 * any type id and payload, {@link #addRawTensorInfo} any tensor info, {@link #tensorCount} and
 * {@link #kvCount} override the header's counts, {@link #declareTensor} a tensor whose data is left
 * as a hole (the file is extended sparsely), for huge files.
 */
public final class GgufWriter {

    private record Kv(String key, int typeId, byte[] payload) {}

    private record Tensor(String name, int typeId, long[] dims, byte[] data, long size, Long rawOffset,
                          TensorSource source) {}

    /**
     * Produces a tensor's bytes while the file is written, so files larger than the heap (a 1B-parameter
     * model) never hold more than the chunk the source is writing.
     */
    @FunctionalInterface
    public interface TensorSource {
        /** Writes exactly the tensor's bytes, in order, to {@code out}. */
        void writeTo(java.io.OutputStream out) throws IOException;
    }

    private int version = 3;
    private Long tensorCount;
    private Long kvCount;
    private long alignment = 32;
    private final List<Kv> kvs = new ArrayList<>();
    private final List<Tensor> tensors = new ArrayList<>();

    /** The version the header states (3 by default; 2 has the same layout). */
    public GgufWriter version(int version) {
        this.version = version;
        return this;
    }

    /** Overrides the tensor count in the header (the infos written stay as added). */
    public GgufWriter tensorCount(long count) {
        this.tensorCount = count;
        return this;
    }

    /** Overrides the metadata count in the header. */
    public GgufWriter kvCount(long count) {
        this.kvCount = count;
        return this;
    }

    public GgufWriter putUInt8(String key, int v) { return put(key, ValueType.UINT8, v); }
    public GgufWriter putInt8(String key, int v) { return put(key, ValueType.INT8, v); }
    public GgufWriter putUInt16(String key, int v) { return put(key, ValueType.UINT16, v); }
    public GgufWriter putInt16(String key, int v) { return put(key, ValueType.INT16, v); }
    public GgufWriter putUInt32(String key, long v) { return put(key, ValueType.UINT32, v); }
    public GgufWriter putInt32(String key, int v) { return put(key, ValueType.INT32, v); }
    public GgufWriter putUInt64(String key, long v) { return put(key, ValueType.UINT64, v); }
    public GgufWriter putInt64(String key, long v) { return put(key, ValueType.INT64, v); }
    public GgufWriter putFloat32(String key, float v) { return put(key, ValueType.FLOAT32, v); }
    public GgufWriter putFloat64(String key, double v) { return put(key, ValueType.FLOAT64, v); }
    public GgufWriter putBool(String key, boolean v) { return put(key, ValueType.BOOL, v); }
    public GgufWriter putString(String key, String v) { return put(key, ValueType.STRING, v); }

    public GgufWriter putStringArray(String key, List<String> values) {
        return putArray(key, ValueType.STRING, values);
    }

    public GgufWriter putFloat32Array(String key, float[] values) {
        List<Float> list = new ArrayList<>(values.length);
        for (float v : values) {
            list.add(v);
        }
        return putArray(key, ValueType.FLOAT32, list);
    }

    public GgufWriter putInt32Array(String key, int[] values) {
        List<Integer> list = new ArrayList<>(values.length);
        for (int v : values) {
            list.add(v);
        }
        return putArray(key, ValueType.INT32, list);
    }

    /** A scalar of any non-array type; numbers are narrowed to the type's width. */
    public GgufWriter put(String key, ValueType type, Object value) {
        if (type == ValueType.ARRAY) {
            throw new IllegalArgumentException("use putArray for arrays");
        }
        Le out = new Le();
        out.value(type, value);
        return putRaw(key, type.id(), out.bytes());
    }

    /** An array of {@code elementType} (not itself an array). */
    public GgufWriter putArray(String key, ValueType elementType, List<?> values) {
        Le out = new Le();
        out.u32(elementType.id()).u64(values.size());
        for (Object v : values) {
            out.value(elementType, v);
        }
        return putRaw(key, ValueType.ARRAY.id(), out.bytes());
    }

    /** A key with any type id and payload, written as given (for malformed files). */
    public GgufWriter putRaw(String key, int typeId, byte[] payload) {
        kvs.add(new Kv(key, typeId, payload.clone()));
        if (key.equals("general.alignment") && typeId == ValueType.UINT32.id() && payload.length == 4) {
            long a = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL;
            if (Long.bitCount(a) == 1) { // an invalid alignment is written for the reader to refuse, not used
                alignment = a;
            }
        }
        return this;
    }

    /** Drops a key written before (to replace it, or to make a file that lacks it). */
    public GgufWriter remove(String key) {
        kvs.removeIf(kv -> kv.key().equals(key));
        return this;
    }

    /** Drops a tensor added before. */
    public GgufWriter removeTensor(String name) {
        tensors.removeIf(t -> t.name().equals(name));
        return this;
    }

    /** A tensor; {@code dims} in ggml order (row length first), {@code data} exactly its bytes. */
    public GgufWriter addTensor(String name, GgmlType type, long[] dims, byte[] data) {
        long size = type.bytesFor(product(dims));
        if (data.length != size) {
            throw new IllegalArgumentException(name + ": " + data.length + " bytes of data, but " + type + " "
                    + java.util.Arrays.toString(dims) + " takes " + size);
        }
        tensors.add(new Tensor(name, type.id(), dims.clone(), data.clone(), size, null, null));
        return this;
    }

    /** A tensor whose data is not written: the file is extended (sparsely) to cover it. */
    public GgufWriter declareTensor(String name, GgmlType type, long[] dims) {
        tensors.add(new Tensor(name, type.id(), dims.clone(), null, type.bytesFor(product(dims)), null, null));
        return this;
    }

    /**
     * A tensor whose bytes {@code source} writes during {@link #write}; {@link #toBytes} leaves them out.
     * {@link #write} fails naming the tensor when the source writes a different number of bytes.
     */
    public GgufWriter addTensor(String name, GgmlType type, long[] dims, TensorSource source) {
        tensors.add(new Tensor(name, type.id(), dims.clone(), null, type.bytesFor(product(dims)), null,
                Objects.requireNonNull(source, "source")));
        return this;
    }

    /** A tensor info written as given (offset relative to the data section), with no data. */
    public GgufWriter addRawTensorInfo(String name, int typeId, long[] dims, long relativeOffset) {
        tensors.add(new Tensor(name, typeId, dims.clone(), null, 0, relativeOffset, null));
        return this;
    }

    /** The file's bytes, without the holes of declared tensors at the end. */
    public byte[] toBytes() {
        return layout().bytes();
    }

    /** Writes the file, extending it sparsely over declared tensors' data. */
    public Path write(Path file) throws IOException {
        Layout l = layout();
        Files.write(file, l.bytes());
        if (tensors.stream().anyMatch(t -> t.source() != null)) {
            writeSources(file, l);
        }
        if (l.length() > l.bytes().length) {
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.setLength(l.length());
            }
        }
        return file;
    }

    private record Layout(byte[] bytes, long length, long dataStart, long[] offsets) {}

    private void writeSources(Path file, Layout l) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            for (int i = 0; i < tensors.size(); i++) {
                Tensor t = tensors.get(i);
                if (t.source() == null) {
                    continue;
                }
                long start = l.dataStart() + l.offsets()[i];
                raf.seek(start);
                var out = new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(raf.getChannel()),
                        1 << 20);
                t.source().writeTo(out);
                out.flush();
                long written = raf.getFilePointer() - start;
                if (written != t.size()) {
                    throw new IOException("tensor " + t.name() + ": its source wrote " + written + " bytes, but "
                            + "its type and shape take " + t.size());
                }
            }
        }
    }

    private Layout layout() {
        long[] offsets = new long[tensors.size()];
        long cursor = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            if (t.rawOffset() != null) {
                offsets[i] = t.rawOffset();
            } else {
                offsets[i] = align(cursor);
                cursor = offsets[i] + t.size();
            }
        }
        Le out = new Le();
        out.raw("GGUF".getBytes(StandardCharsets.US_ASCII)).u32(version);
        out.u64(tensorCount != null ? tensorCount : tensors.size());
        out.u64(kvCount != null ? kvCount : kvs.size());
        for (Kv kv : kvs) {
            out.string(kv.key()).u32(kv.typeId()).raw(kv.payload());
        }
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            out.string(t.name()).u32(t.dims().length);
            for (long d : t.dims()) {
                out.u64(d);
            }
            out.u32(t.typeId()).u64(offsets[i]);
        }
        long dataStart = align(out.size());
        out.zeros(dataStart - out.size());
        long length = dataStart;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            if (t.rawOffset() != null) {
                continue;
            }
            length = Math.max(length, dataStart + offsets[i] + t.size());
            if (t.data() != null) {
                out.zeros(dataStart + offsets[i] - out.size());
                out.raw(t.data());
            }
        }
        return new Layout(out.bytes(), length, dataStart, offsets);
    }

    private long align(long n) {
        return (n + alignment - 1) / alignment * alignment;
    }

    private static long product(long[] dims) {
        long n = 1;
        for (long d : dims) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Little-endian encoder of GGUF primitives; also used by tests to build raw payloads. */
    public static final class Le {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        public Le u8(int v) { out.write(v); return this; }
        public Le u16(int v) { return u8(v).u8(v >>> 8); }
        public Le u32(long v) { return u16((int) v).u16((int) (v >>> 16)); }
        public Le u64(long v) { return u32(v).u32(v >>> 32); }

        public Le raw(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        public Le string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return u64(b.length).raw(b);
        }

        public Le zeros(long n) {
            for (long i = 0; i < n; i++) {
                out.write(0);
            }
            return this;
        }

        Le value(ValueType type, Object v) {
            Objects.requireNonNull(v, "value");
            return switch (type) {
                case UINT8, INT8 -> u8(((Number) v).intValue());
                case UINT16, INT16 -> u16(((Number) v).intValue());
                case UINT32, INT32 -> u32(((Number) v).longValue());
                case UINT64, INT64 -> u64(((Number) v).longValue());
                case FLOAT32 -> u32(Float.floatToRawIntBits(((Number) v).floatValue()));
                case FLOAT64 -> u64(Double.doubleToRawLongBits(((Number) v).doubleValue()));
                case BOOL -> u8((Boolean) v ? 1 : 0);
                case STRING -> string((String) v);
                case ARRAY -> throw new IllegalArgumentException("nested arrays are not supported by GGUF");
            };
        }

        public int size() {
            return out.size();
        }

        public byte[] bytes() {
            return out.toByteArray();
        }
    }
}
