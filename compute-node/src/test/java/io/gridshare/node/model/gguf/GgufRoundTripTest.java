package io.gridshare.node.model.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gridshare.node.model.ModelFormatException;
import io.gridshare.node.tensor.GgmlType;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GgufRoundTripTest {

    @TempDir
    Path tmp;

    private static GgufWriter everyValueType() {
        return new GgufWriter()
                .putUInt8("u8", 250).putInt8("i8", -7)
                .putUInt16("u16", 65000).putInt16("i16", -30000)
                .putUInt32("u32", 4_000_000_000L).putInt32("i32", -2_000_000_000)
                .putUInt64("u64", 1L << 40).putInt64("i64", -(1L << 50))
                .putFloat32("f32", 1.5f).putFloat64("f64", -2.25e100)
                .putBool("yes", true).putBool("no", false)
                .putString("s", "héllo ▁wörld 🦙")
                .putStringArray("strings", List.of("a", "", "▁b", "<0x0A>"))
                .putFloat32Array("floats", new float[] {0.5f, -1f, Float.MAX_VALUE})
                .putInt32Array("ints", new int[] {1, -2, 3})
                .putArray("u8s", ValueType.UINT8, List.of(0, 255))
                .putArray("i64s", ValueType.INT64, List.of(-1L, 1L << 40))
                .putArray("f64s", ValueType.FLOAT64, List.of(0.25, -8.0))
                .putArray("bools", ValueType.BOOL, List.of(true, false));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void everyValueTypeReadsBackAsWrittenInVersions2And3(int version) throws Exception {
        Path file = everyValueType().version(version).write(tmp.resolve("all.gguf"));
        try (GgufFile g = GgufFile.open(file)) {
            GgufMetadata m = g.metadata();
            assertThat(g.version()).isEqualTo(version);
            assertThat(m.keys()).startsWith("u8", "i8", "u16", "i16", "u32", "i32").hasSize(20);
            assertThat(m.requireInteger("u8")).isEqualTo(250);
            assertThat(m.requireInteger("i8")).isEqualTo(-7);
            assertThat(m.requireInteger("u16")).isEqualTo(65000);
            assertThat(m.requireInteger("i16")).isEqualTo(-30000);
            assertThat(m.requireInteger("u32")).isEqualTo(4_000_000_000L);
            assertThat(m.requireInteger("i32")).isEqualTo(-2_000_000_000);
            assertThat(m.requireInteger("u64")).isEqualTo(1L << 40);
            assertThat(m.requireInteger("i64")).isEqualTo(-(1L << 50));
            assertThat(m.type("u16")).isEqualTo(ValueType.UINT16);
            assertThat(m.raw("f32")).isEqualTo(1.5f);
            assertThat(m.number("f64")).contains(-2.25e100);
            assertThat(m.number("u8")).contains(250.0);
            assertThat(m.bool("yes")).contains(true);
            assertThat(m.bool("no")).contains(false);
            assertThat(m.requireString("s")).isEqualTo("héllo ▁wörld 🦙");
            assertThat(m.stringArray("strings")).containsExactly("a", "", "▁b", "<0x0A>");
            assertThat(m.floatArray("floats")).containsExactly(0.5f, -1f, Float.MAX_VALUE);
            assertThat(m.intArray("ints")).containsExactly(1, -2, 3);
            assertThat(m.intArray("u8s")).containsExactly(0, 255);
            assertThat(m.raw("i64s")).isEqualTo(List.of(-1L, 1L << 40));
            assertThat(m.floatArray("f64s")).containsExactly(0.25f, -8f);
            assertThat(m.raw("bools")).isEqualTo(List.of(true, false));
            assertThat(m.elementType("strings")).isEqualTo(ValueType.STRING);
            assertThat(m.arrayLength("ints")).isEqualTo(3);
            assertThat(m.string("absent")).isEmpty();
            assertThat(m.integer("absent")).isEmpty();
        }
    }

    @Test
    void wrongTypeAndMissingKeysNameTheFileTheKeyAndBothTypes() throws Exception {
        Path file = everyValueType().write(tmp.resolve("all.gguf"));
        try (GgufFile g = GgufFile.open(file)) {
            GgufMetadata m = g.metadata();
            assertThatThrownBy(() -> m.requireString("u32")).isInstanceOf(ModelFormatException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("'u32'")
                    .hasMessageContaining("UINT32").hasMessageContaining("STRING");
            assertThatThrownBy(() -> m.intArray("strings")).isInstanceOf(ModelFormatException.class)
                    .hasMessageContaining("ARRAY of STRING").hasMessageContaining("integer");
            assertThatThrownBy(() -> m.requireInteger("missing.key")).isInstanceOf(ModelFormatException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("'missing.key' is missing");
            assertThatThrownBy(() -> m.bool("s")).isInstanceOf(ModelFormatException.class)
                    .hasMessageContaining("BOOL");
        }
    }

    @Test
    void uint64AboveLongMaxIsRefusedAsOutOfRangeRatherThanReadAsNegative() throws Exception {
        Path file = new GgufWriter().putUInt64("big", -1L).write(tmp.resolve("big.gguf"));
        try (GgufFile g = GgufFile.open(file)) {
            assertThatThrownBy(() -> g.metadata().integer("big")).isInstanceOf(ModelFormatException.class)
                    .hasMessageContaining("18446744073709551615").hasMessageContaining("out of range");
        }
    }

    @Test
    void invalidUtf8InStringsDecodesWithReplacementCharacters() throws Exception {
        byte[] payload = new GgufWriter.Le().u64(3).raw(new byte[] {'a', (byte) 0xC3, 'b'}).bytes();
        Path file = new GgufWriter().putRaw("bad", ValueType.STRING.id(), payload).write(tmp.resolve("utf.gguf"));
        try (GgufFile g = GgufFile.open(file)) {
            assertThat(g.metadata().requireString("bad")).isEqualTo("a\uFFFDb");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 32, 64, 4096})
    void tensorDataSlicesAreWhatWasWrittenAtTheAlignment(int alignment) throws Exception {
        byte[] a = bytes(4 * 3 * 2, 1), b = bytes(34 * 2, 7), c = bytes(2 * 5, 3);
        GgufWriter w = new GgufWriter().putString("general.architecture", "llama")
                .addTensor("a", GgmlType.F32, new long[] {3, 2}, a)
                .addTensor("b", GgmlType.Q8_0, new long[] {64}, b)
                .addTensor("c", GgmlType.F16, new long[] {5}, c);
        if (alignment != 32) {
            w.putUInt32("general.alignment", alignment);
        }
        try (GgufFile g = GgufFile.open(w.write(tmp.resolve("t.gguf")))) {
            assertThat(g.alignment()).isEqualTo(alignment);
            assertThat(g.tensors()).extracting(GgufTensorInfo::name).containsExactly("a", "b", "c");
            GgufTensorInfo ta = g.requireTensor("a");
            assertThat(ta.type()).isEqualTo(GgmlType.F32);
            assertThat(ta.dims()).containsExactly(3, 2);
            assertThat(ta.cols()).isEqualTo(3);
            assertThat(ta.rows()).isEqualTo(2);
            assertThat(ta.elements()).isEqualTo(6);
            assertThat(g.data(ta).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(a);
            assertThat(g.data(g.requireTensor("b")).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(b);
            assertThat(g.data(g.requireTensor("c")).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(c);
            for (GgufTensorInfo t : g.tensors()) {
                assertThat(t.offset() % alignment).isZero();
                assertThat(t.offset()).isGreaterThanOrEqualTo(g.dataStart());
            }
            assertThat(g.dataStart() % alignment).isZero();
            assertThat(g.tensor("absent")).isEmpty();
            assertThatThrownBy(() -> g.requireTensor("blk.0.attn_q.weight")).isInstanceOf(ModelFormatException.class)
                    .hasMessageContaining(g.path().toString()).hasMessageContaining("'blk.0.attn_q.weight'");
        }
    }

    @Test
    void slicesOfAClosedFileCanNoLongerBeRead() throws Exception {
        Path file = new GgufWriter().addTensor("a", GgmlType.F32, new long[] {2}, bytes(8, 1)).write(tmp.resolve("c.gguf"));
        GgufFile g = GgufFile.open(file);
        var slice = g.data(g.requireTensor("a"));
        g.close();
        g.close();
        assertThatThrownBy(() -> slice.get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
    }

    static byte[] bytes(int n, int seed) {
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = (byte) (seed * 31 + i * 7);
        }
        return out;
    }
}
