package io.gridshare.node.model.gguf;

import java.util.Arrays;
import java.util.Optional;

/**
 * The types of GGUF metadata values, with the numeric ids ({@code enum gguf_type}) a file stores
 * before each value. {@link #ARRAY} values hold a count of elements of one other (non-array) type.
 */
public enum ValueType {
    UINT8(0, 1),
    INT8(1, 1),
    UINT16(2, 2),
    INT16(3, 2),
    UINT32(4, 4),
    INT32(5, 4),
    FLOAT32(6, 4),
    BOOL(7, 1),
    /** uint64 byte length, then that many bytes of UTF-8 (no terminator). */
    STRING(8, 8),
    /** uint32 element type, uint64 count, then the elements. */
    ARRAY(9, 12),
    UINT64(10, 8),
    INT64(11, 8),
    FLOAT64(12, 8);

    private final int id;
    private final int minBytes;

    ValueType(int id, int minBytes) {
        this.id = id;
        this.minBytes = minBytes;
    }

    /** The id stored in the file. */
    public int id() {
        return id;
    }

    /**
     * The fewest bytes one value of this type takes in a file: its size for the fixed-size types,
     * the length prefix for strings, the element type and count for arrays.
     */
    public int minBytes() {
        return minBytes;
    }

    /** Whether the value is an integer of any width or signedness. */
    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /** Whether the value is a float32 or float64. */
    public boolean isFloat() {
        return this == FLOAT32 || this == FLOAT64;
    }

    /** The type with this id, if any. */
    public static Optional<ValueType> byId(long id) {
        return Arrays.stream(values()).filter(t -> t.id == id).findFirst();
    }
}
