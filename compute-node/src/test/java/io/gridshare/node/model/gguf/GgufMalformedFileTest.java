package io.gridshare.node.model.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gridshare.node.model.ModelFormatException;
import io.gridshare.node.tensor.GgmlType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GgufMalformedFileTest {

    @TempDir
    Path tmp;

    private static GgufWriter valid() {
        return new GgufWriter()
                .putString("general.architecture", "llama")
                .putUInt32("llama.block_count", 1)
                .putFloat64("f64", 1.0)
                .putStringArray("tokenizer.ggml.tokens", List.of("<unk>", "▁a", "b"))
                .putFloat32Array("tokenizer.ggml.scores", new float[] {0, -1, -2})
                .putArray("u16s", ValueType.UINT16, List.of(1, 2))
                .addTensor("token_embd.weight", GgmlType.F32, new long[] {4, 3}, GgufRoundTripTest.bytes(48, 1))
                .addTensor("blk.0.attn_q.weight", GgmlType.Q8_0, new long[] {32, 2}, GgufRoundTripTest.bytes(68, 2));
    }

    private AbstractThrowableAssert<?, ? extends Throwable> refuses(GgufWriter w) throws Exception {
        return refuses(w.toBytes());
    }

    private AbstractThrowableAssert<?, ? extends Throwable> refuses(byte[] bytes) throws Exception {
        Path file = Files.write(Files.createTempFile(tmp, "bad", ".gguf"), bytes);
        return assertThatThrownBy(() -> GgufFile.open(file).close())
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void theValidBaseFileOpens() throws Exception {
        try (GgufFile g = GgufFile.open(valid().write(tmp.resolve("ok.gguf")))) {
            assertThat(g.tensors()).hasSize(2);
        }
    }

    @Test
    void aFileThatIsNotGgufIsRefusedByItsMagic() throws Exception {
        byte[] b = valid().toBytes();
        b[0] = 'g';
        refuses(b).hasMessageContaining("not a GGUF file");
        refuses(new byte[0]).hasMessageContaining("truncated");
    }

    @Test
    void version1IsRefusedSayingWhichVersionsAreSupported() throws Exception {
        refuses(valid().version(1)).hasMessageContaining("version 1").hasMessageContaining("2 and 3");
        refuses(valid().version(4)).hasMessageContaining("unsupported GGUF version 4");
        refuses(valid().version(Integer.reverseBytes(3))).hasMessageContaining("big-endian");
    }

    @Test
    void aFileTruncatedAtAnyByteIsAlwaysAModelFormatException() throws Exception {
        byte[] full = valid().toBytes();
        Path file = tmp.resolve("cut.gguf");
        for (int len = 0; len < full.length; len++) {
            Files.write(file, Arrays.copyOf(full, len));
            int cut = len;
            assertThatThrownBy(() -> GgufFile.open(file).close()).as("truncated to %d bytes", cut)
                    .isInstanceOf(ModelFormatException.class)
                    .hasMessageContaining(file.toString());
        }
    }

    @Test
    void aConvertedModelTruncatedInsideItsHeaderIsAlwaysAModelFormatException() throws Exception {
        byte[] full = Files.readAllBytes(Llama2cToGguf.convert(tmp.resolve("s.gguf")));
        long dataStart;
        try (GgufFile g = GgufFile.open(tmp.resolve("s.gguf"))) {
            dataStart = g.dataStart();
        }
        Path file = tmp.resolve("cut.gguf");
        for (int len = 0; len <= dataStart + 64; len += 17) {
            Files.write(file, Arrays.copyOf(full, len));
            assertThatThrownBy(() -> GgufFile.open(file).close()).isInstanceOf(ModelFormatException.class);
        }
    }

    @Test
    void randomlyCorruptedHeadersEitherOpenOrFailWithAModelFormatException() throws Exception {
        byte[] full = valid().toBytes();
        SplittableRandom rnd = new SplittableRandom(42);
        Path file = tmp.resolve("fuzz.gguf");
        int refused = 0;
        for (int i = 0; i < 1000; i++) {
            byte[] b = full.clone();
            for (int k = 0; k < 3; k++) {
                b[rnd.nextInt(4, 400)] = (byte) rnd.nextInt(256);
            }
            Files.write(file, b);
            try (GgufFile g = GgufFile.open(file)) {
                assertThat(g.tensors()).isNotEmpty();
            } catch (ModelFormatException expected) {
                refused++;
            }
        }
        assertThat(refused).isPositive();
    }

    @ParameterizedTest
    @ValueSource(longs = {1L << 40, Long.MAX_VALUE, -1L})
    void absurdHeaderCountsAreRefusedBeforeAllocating(long count) throws Exception {
        refuses(valid().kvCount(count)).hasMessageContaining("metadata count");
        refuses(valid().tensorCount(count)).hasMessageContaining("tensor count");
    }

    @Test
    void countsJustAboveTheEntriesWrittenAreRefusedAsCorrupt() throws Exception {
        refuses(valid().kvCount(7)).hasMessageContaining("truncated or corrupt");
        refuses(valid().tensorCount(3)).hasMessageContaining("truncated or corrupt");
    }

    @Test
    void absurdStringLengthsAndArrayCountsAreRefusedBeforeAllocating() throws Exception {
        refuses(valid().putRaw("s", ValueType.STRING.id(), new GgufWriter.Le().u64(1L << 40).bytes()))
                .hasMessageContaining("metadata key 's'").hasMessageContaining("length 1099511627776");
        refuses(valid().putRaw("a", ValueType.ARRAY.id(),
                new GgufWriter.Le().u32(ValueType.FLOAT32.id()).u64(Long.MAX_VALUE).bytes()))
                .hasMessageContaining("metadata key 'a'").hasMessageContaining("array count");
        refuses(valid().putRaw("a", ValueType.ARRAY.id(),
                new GgufWriter.Le().u32(ValueType.STRING.id()).u64(1L << 31).bytes()))
                .hasMessageContaining("array count 2147483648");
        byte[] hugeKey = new GgufWriter.Le().raw("GGUF".getBytes()).u32(3).u64(0).u64(1).u64(-2L).zeros(64).bytes();
        refuses(hugeKey).hasMessageContaining("metadata entry 0").hasMessageContaining("key length")
                .hasMessageContaining("18446744073709551614");
    }

    @Test
    void unknownValueTypesAndNestedArraysAreRefused() throws Exception {
        refuses(valid().putRaw("k", 13, new byte[8])).hasMessageContaining("metadata key 'k'")
                .hasMessageContaining("unknown value type id 13");
        refuses(valid().putRaw("k", ValueType.ARRAY.id(), new GgufWriter.Le().u32(99).u64(0).bytes()))
                .hasMessageContaining("unknown array element type id 99");
        refuses(valid().putRaw("k", ValueType.ARRAY.id(), new GgufWriter.Le().u32(9).u64(0).bytes()))
                .hasMessageContaining("arrays of arrays");
    }

    @Test
    void unsupportedTensorTypesAreRefusedListingTheSupportedOnes() throws Exception {
        refuses(valid().addRawTensorInfo("q41", 3, new long[] {32}, 0))
                .hasMessageContaining("tensor 'q41'").hasMessageContaining("Q4_1")
                .hasMessageContaining(GgmlType.supported());
        refuses(valid().addRawTensorInfo("x", 99, new long[] {32}, 0)).hasMessageContaining("ggml type id 99");
        refuses(valid().addRawTensorInfo("x", -1, new long[] {32}, 0)).hasMessageContaining("4294967295");
    }

    @Test
    void dimensionCountsOutside1To4AreRefused() throws Exception {
        refuses(valid().addRawTensorInfo("x", 0, new long[0], 0)).hasMessageContaining("tensor 'x'")
                .hasMessageContaining("n_dims 0");
        refuses(valid().addRawTensorInfo("x", 0, new long[] {1, 1, 1, 1, 1}, 0)).hasMessageContaining("n_dims 5");
    }

    @Test
    void zeroOrNegativeDimensionsAreRefused() throws Exception {
        refuses(valid().addRawTensorInfo("x", 0, new long[] {4, 0}, 0)).hasMessageContaining("dimension 1 is 0");
        refuses(valid().addRawTensorInfo("x", 0, new long[] {-1}, 0))
                .hasMessageContaining("dimension 0 is 18446744073709551615");
    }

    @Test
    void elementCountOverflowIsRefused() throws Exception {
        refuses(valid().addRawTensorInfo("x", 0, new long[] {1L << 32, 1L << 32}, 0))
                .hasMessageContaining("tensor 'x'").hasMessageContaining("2^63 elements");
        refuses(valid().addRawTensorInfo("x", 0, new long[] {1L << 62}, 0)).hasMessageContaining("2^63 bytes");
    }

    @Test
    void rowsThatAreNotWholeBlocksAreRefused() throws Exception {
        refuses(valid().addRawTensorInfo("x", GgmlType.Q8_0.id(), new long[] {33, 32}, 0))
                .hasMessageContaining("row length 33").hasMessageContaining("Q8_0 blocks of 32");
    }

    @Test
    void misalignedTensorOffsetsAreRefused() throws Exception {
        refuses(valid().addRawTensorInfo("x", 0, new long[] {2}, 4))
                .hasMessageContaining("tensor 'x'").hasMessageContaining("offset 4").hasMessageContaining("alignment 32");
    }

    @Test
    void tensorDataPastTheEndOfTheFileIsRefused() throws Exception {
        refuses(valid().addRawTensorInfo("x", 0, new long[] {8}, 1 << 20))
                .hasMessageContaining("tensor 'x'").hasMessageContaining("past the end of the file");
        refuses(valid().addRawTensorInfo("x", 0, new long[] {8}, -32L)).hasMessageContaining("tensor 'x'");
        refuses(valid().addRawTensorInfo("x", 0, new long[] {1L << 40}, 0)).hasMessageContaining("past the end");
    }

    @Test
    void duplicateKeysAndTensorNamesAreRefused() throws Exception {
        refuses(valid().putUInt32("llama.block_count", 2))
                .hasMessageContaining("metadata key 'llama.block_count'").hasMessageContaining("duplicate");
        refuses(valid().addTensor("token_embd.weight", GgmlType.F32, new long[] {1}, new byte[4]))
                .hasMessageContaining("tensor 'token_embd.weight'").hasMessageContaining("duplicate");
    }

    @Test
    void alignmentMustBeAPowerOfTwoInteger() throws Exception {
        refuses(valid().putUInt32("general.alignment", 48)).hasMessageContaining("general.alignment")
                .hasMessageContaining("power of two");
        refuses(valid().putUInt32("general.alignment", 0)).hasMessageContaining("power of two");
        refuses(valid().putString("general.alignment", "32")).hasMessageContaining("general.alignment")
                .hasMessageContaining("STRING");
    }

    @Test
    void aMissingFileIsAModelFormatException() {
        Path missing = tmp.resolve("absent.gguf");
        assertThatThrownBy(() -> GgufFile.open(missing)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");
    }
}
