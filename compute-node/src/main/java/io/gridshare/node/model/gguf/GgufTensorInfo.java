package io.gridshare.node.model.gguf;

import io.gridshare.node.tensor.GgmlType;
import java.util.Arrays;
import java.util.Objects;

/**
 * Where one tensor of a GGUF file lies and what it holds.
 *
 * @param name the tensor's name, e.g. {@code blk.0.attn_q.weight}
 * @param type its element type
 * @param dims its shape in ggml order: {@code dims[0]} (ne0) is the length of a row, the
 *     contiguous dimension; a matrix of {@code rows} outputs by {@code cols} inputs is
 *     {@code {cols, rows}}
 * @param offset absolute byte offset of its data in the file
 * @param byteSize bytes of data
 */
public record GgufTensorInfo(String name, GgmlType type, long[] dims, long offset, long byteSize) {

    public GgufTensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        dims = dims.clone();
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    /** Number of dimensions (1 to 4). */
    public int rank() {
        return dims.length;
    }

    /** Total number of elements. */
    public long elements() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    /** Length of a row: {@code dims[0]}. */
    public long cols() {
        return dims[0];
    }

    /** Number of rows: the product of every dimension but the first (1 for a vector). */
    public long rows() {
        return elements() / dims[0];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensorInfo t && name.equals(t.name) && type == t.type && Arrays.equals(dims, t.dims)
                && offset == t.offset && byteSize == t.byteSize;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(dims), offset, byteSize);
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(dims) + " @" + offset + " (" + byteSize + " bytes)";
    }
}
