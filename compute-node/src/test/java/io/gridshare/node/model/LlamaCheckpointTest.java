package io.gridshare.node.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LlamaCheckpointTest {

    @TempDir
    Path tmp;

    @Test
    void readsStories260KHeader() throws Exception {
        try (LlamaCheckpoint ck = LlamaCheckpoint.open(TestModels.stories260K().checkpoint())) {
            assertThat(ck.config()).isEqualTo(new LlamaConfig(64, 172, 5, 8, 4, 512, 512, true));
            assertThat(ck.classifier().address()).isEqualTo(ck.tokenEmbedding().address());
            assertThat(ck.file().isMapped()).isTrue();
        }
    }

    @Test
    void unsharedClassifierIsReadFromAfterTheLegacyRopeTables() throws Exception {
        LlamaConfig c = RandomModelFixture.smallConfig();
        Path file = RandomModelFixture.writeCheckpoint(tmp.resolve("m.bin"), c, 1);
        try (LlamaCheckpoint ck = LlamaCheckpoint.open(file)) {
            assertThat(ck.config()).isEqualTo(c);
            long expectedOffset = Files.size(file) - 4L * c.vocabSize() * c.dim();
            assertThat(ck.classifier().address() - ck.file().address()).isEqualTo(expectedOffset);
        }
    }

    @Test
    void truncatedCheckpointIsRefusedNamingTheFileAndSizes() throws Exception {
        byte[] full = Files.readAllBytes(TestModels.stories260K().checkpoint());
        Path cut = Files.write(tmp.resolve("cut.bin"), Arrays.copyOf(full, full.length - 100));
        assertThatThrownBy(() -> LlamaCheckpoint.open(cut))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(cut.toString())
                .hasMessageContaining("truncated checkpoint")
                .hasMessageContaining(String.valueOf(full.length));
    }

    @Test
    void checkpointWithTrailingBytesIsRefusedAsCorrupt() throws Exception {
        byte[] full = Files.readAllBytes(TestModels.stories260K().checkpoint());
        Path longer = Files.write(tmp.resolve("long.bin"), Arrays.copyOf(full, full.length + 8));
        assertThatThrownBy(() -> LlamaCheckpoint.open(longer))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("corrupt checkpoint")
                .hasMessageContaining("8 unexpected trailing bytes");
    }

    @Test
    void fileShorterThanTheHeaderIsRefused() throws Exception {
        Path tiny = Files.write(tmp.resolve("tiny.bin"), new byte[10]);
        assertThatThrownBy(() -> LlamaCheckpoint.open(tiny))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("shorter than the 28-byte header");
    }

    @Test
    void missingFileSaysHowToGetIt() {
        Path missing = tmp.resolve("nope.bin");
        assertThatThrownBy(() -> LlamaCheckpoint.open(missing))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("models pull");
    }

    @ParameterizedTest(name = "{5}")
    @CsvSource({
            "-64, 172, 5, 8, 4, 512, 512, dim -64 is outside",
            "64, 0, 5, 8, 4, 512, 512, hidden_dim 0 is outside",
            "64, 172, 100000, 8, 4, 512, 512, n_layers 100000 is outside",
            "64, 172, 5, 7, 4, 512, 512, is not n_heads 7 times an even head size",
            "64, 172, 5, 8, 3, 512, 512, n_kv_heads 3 does not divide n_heads 8",
            "64, 172, 5, 8, 4, 0, 512, vocab_size 0",
            "64, 172, 5, 8, 4, 512, -1, seq_len -1 is outside"})
    void negativeOrAbsurdHeaderValuesAreRefused(int dim, int hidden, int layers, int heads, int kvHeads, int vocab,
                                                int seqLen, String message) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(dim).putInt(hidden).putInt(layers).putInt(heads).putInt(kvHeads).putInt(vocab).putInt(seqLen);
        Path file = Files.write(tmp.resolve("bad.bin"), b.array());
        assertThatThrownBy(() -> LlamaCheckpoint.open(file))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("corrupt checkpoint header")
                .hasMessageContaining(message);
    }

    @Test
    void sha256MismatchIsRefusedNamingTheFile() throws Exception {
        ModelFiles real = TestModels.stories260K();
        ModelFiles wrong = new ModelFiles("stories260K", real.checkpoint(), real.tokenizer(), "00".repeat(32), null);
        assertThatThrownBy(wrong::verifiedHashes)
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(real.checkpoint().toString())
                .hasMessageContaining("sha256 mismatch")
                .hasMessageContaining(ModelFiles.STORIES260K_SHA256);
    }

    @Test
    void publishedHashesMatchTheSharedFiles() throws Exception {
        assertThat(TestModels.stories260K().verifiedHashes())
                .containsExactly(ModelFiles.STORIES260K_SHA256, ModelFiles.TOK512_SHA256);
    }
}
