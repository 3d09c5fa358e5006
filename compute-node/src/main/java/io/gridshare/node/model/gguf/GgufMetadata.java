package io.gridshare.node.model.gguf;

import io.gridshare.node.model.ModelFormatException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The key/value metadata of a GGUF file, with typed access. Accessors that return an
 * {@code Optional} are empty for a missing key; the others require the key. A key of the wrong
 * type is a {@link ModelFormatException} naming the file, the key, the type found and the types
 * expected, because a model whose header disagrees with its architecture cannot be served.
 *
 * <p>Values are held as parsed: integers as {@code Long} (unsigned ones zero-extended; a uint64
 * keeps its bit pattern), float32 as {@code Float}, float64 as {@code Double}, bools, strings, and
 * arrays as primitive arrays of the element type's width, or {@link GgufStrings} (decoded on
 * access) for strings.
 */
public final class GgufMetadata {

    /** One parsed value; {@code elementType} is set for arrays only. */
    record Value(ValueType type, ValueType elementType, Object payload) {}

    private final Path file;
    private final Map<String, Value> values;

    GgufMetadata(Path file, Map<String, Value> values) {
        this.file = file;
        this.values = values;
    }

    /** All keys, in file order. */
    public Set<String> keys() {
        return Collections.unmodifiableSet(values.keySet());
    }

    public boolean contains(String key) {
        return values.containsKey(key);
    }

    /** The value's type ({@link ValueType#ARRAY} for arrays). */
    public ValueType type(String key) throws ModelFormatException {
        return require(key).type();
    }

    /** The element type of an array. */
    public ValueType elementType(String key) throws ModelFormatException {
        return array(key).elementType();
    }

    /** Number of elements of an array. */
    public int arrayLength(String key) throws ModelFormatException {
        Object p = array(key).payload();
        return p instanceof GgufStrings strings ? strings.size() : java.lang.reflect.Array.getLength(p);
    }

    public Optional<String> string(String key) throws ModelFormatException {
        Value v = values.get(key);
        if (v == null) {
            return Optional.empty();
        }
        expect(key, v, v.type() == ValueType.STRING, "STRING");
        return Optional.of((String) v.payload());
    }

    public String requireString(String key) throws ModelFormatException {
        require(key);
        return string(key).orElseThrow();
    }

    /**
     * An integer of any width; a uint64 above {@link Long#MAX_VALUE} is refused as out of range.
     */
    public OptionalLong integer(String key) throws ModelFormatException {
        Value v = values.get(key);
        if (v == null) {
            return OptionalLong.empty();
        }
        expect(key, v, v.type().isInteger(), "an integer type");
        long n = (Long) v.payload();
        if (v.type() == ValueType.UINT64 && n < 0) {
            throw new ModelFormatException(file, "metadata key '" + key + "': uint64 value "
                    + Long.toUnsignedString(n) + " is out of range (at most " + Long.MAX_VALUE + ")");
        }
        return OptionalLong.of(n);
    }

    public long requireInteger(String key) throws ModelFormatException {
        require(key);
        return integer(key).orElseThrow();
    }

    /** A float or integer value as a double. */
    public Optional<Double> number(String key) throws ModelFormatException {
        Value v = values.get(key);
        if (v == null) {
            return Optional.empty();
        }
        expect(key, v, v.type().isFloat() || v.type().isInteger(), "a float or integer type");
        if (v.type().isInteger()) {
            return Optional.of((double) integer(key).orElseThrow());
        }
        return Optional.of(((Number) v.payload()).doubleValue());
    }

    public Optional<Boolean> bool(String key) throws ModelFormatException {
        Value v = values.get(key);
        if (v == null) {
            return Optional.empty();
        }
        expect(key, v, v.type() == ValueType.BOOL, "BOOL");
        return Optional.of((Boolean) v.payload());
    }

    /**
     * An array of strings, decoded from the mapped file as they are read (see {@link GgufStrings}):
     * read each element once and keep it if it is needed again. Valid while the file is open.
     */
    public List<String> stringArray(String key) throws ModelFormatException {
        Value v = array(key);
        expectElements(key, v, v.elementType() == ValueType.STRING, "STRING");
        return Collections.unmodifiableList((GgufStrings) v.payload());
    }

    /** An array of float32 (or float64, narrowed). */
    public float[] floatArray(String key) throws ModelFormatException {
        Value v = array(key);
        expectElements(key, v, v.elementType().isFloat(), "FLOAT32 or FLOAT64");
        if (v.payload() instanceof float[] f) {
            return f.clone();
        }
        double[] d = (double[]) v.payload();
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }

    /** An array of any integer type whose every element fits an int. */
    public int[] intArray(String key) throws ModelFormatException {
        Value v = array(key);
        expectElements(key, v, v.elementType().isInteger(), "an integer type");
        int n = java.lang.reflect.Array.getLength(v.payload());
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            long e = element(v, i);
            if (e != (int) e) {
                throw new ModelFormatException(file, "metadata key '" + key + "': element " + i + " of the "
                        + v.elementType() + " array, " + e + ", does not fit a 32-bit int");
            }
            out[i] = (int) e;
        }
        return out;
    }

    /**
     * The value boxed: {@code Long}, {@code Float}, {@code Double}, {@code Boolean},
     * {@code String}, or for arrays a {@code List} of those.
     */
    public Object raw(String key) throws ModelFormatException {
        Value v = require(key);
        if (v.type() != ValueType.ARRAY) {
            return v.payload();
        }
        Object p = v.payload();
        int n = p instanceof GgufStrings strings ? strings.size() : java.lang.reflect.Array.getLength(p);
        List<Object> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(switch (v.elementType()) {
                case FLOAT32 -> ((float[]) p)[i];
                case FLOAT64 -> ((double[]) p)[i];
                case BOOL -> ((byte[]) p)[i] != 0;
                case STRING -> ((GgufStrings) p).get(i);
                default -> element(v, i);
            });
        }
        return Collections.unmodifiableList(out);
    }

    private static long element(Value v, int i) {
        Object p = v.payload();
        return switch (v.elementType()) {
            case UINT8 -> ((byte[]) p)[i] & 0xFFL;
            case INT8 -> ((byte[]) p)[i];
            case UINT16 -> ((short[]) p)[i] & 0xFFFFL;
            case INT16 -> ((short[]) p)[i];
            case UINT32 -> ((int[]) p)[i] & 0xFFFFFFFFL;
            case INT32 -> ((int[]) p)[i];
            case UINT64, INT64 -> ((long[]) p)[i];
            default -> throw new IllegalStateException("not an integer array: " + v.elementType());
        };
    }

    private Value require(String key) throws ModelFormatException {
        Value v = values.get(key);
        if (v == null) {
            throw new ModelFormatException(file, "metadata key '" + key + "' is missing; is this a model of the"
                    + " expected architecture, converted by a current llama.cpp?");
        }
        return v;
    }

    private Value array(String key) throws ModelFormatException {
        Value v = require(key);
        expect(key, v, v.type() == ValueType.ARRAY, "ARRAY");
        return v;
    }

    private void expect(String key, Value v, boolean ok, String expected) throws ModelFormatException {
        if (!ok) {
            throw new ModelFormatException(file, "metadata key '" + key + "' has type " + describe(v)
                    + " but " + expected + " was expected");
        }
    }

    private void expectElements(String key, Value v, boolean ok, String expected) throws ModelFormatException {
        if (!ok) {
            throw new ModelFormatException(file, "metadata key '" + key + "' has type " + describe(v)
                    + " but an ARRAY of " + expected + " was expected");
        }
    }

    private static String describe(Value v) {
        return v.type() == ValueType.ARRAY ? "ARRAY of " + v.elementType() : v.type().name();
    }
}
