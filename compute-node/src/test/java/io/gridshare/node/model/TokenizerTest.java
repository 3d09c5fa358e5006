package io.gridshare.node.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tokenizer behaviour against stories260K's tok512.bin and a fixture tokenizer.
 *
 * <p>The expected ids for tok512 were derived independently of this code: a 30-line Python
 * re-implementation of run.c's {@code encode} (read the vocabulary and scores from tok512.bin,
 * prepend BOS and the " " token, one token per UTF-8 code point or its bytes + 3, then merge the
 * best-scoring adjacent pair until none is in the vocabulary), and each id checked by hand
 * against the vocabulary entry shown in the comment.
 */
class TokenizerTest {

    static Tokenizer tok512;

    @TempDir
    Path tmp;

    @BeforeAll
    static void loadTok512() throws Exception {
        tok512 = Tokenizer.load(TestModels.stories260K().tokenizer(), 512);
    }

    @Test
    void tok512HasTheSpecialAndByteTokensWhereLlama2cExpectsThem() {
        assertThat(tok512.vocabSize()).isEqualTo(512);
        assertThat(new String(tok512.token(Tokenizer.BOS), StandardCharsets.UTF_8)).isEqualTo("\n<s>\n");
        assertThat(new String(tok512.token(Tokenizer.EOS), StandardCharsets.UTF_8)).isEqualTo("\n</s>\n");
        assertThat(new String(tok512.token(0x41 + 3), StandardCharsets.UTF_8)).isEqualTo("<0x41>");
        assertThat(tok512.maxTokenLength()).isEqualTo(7);
    }

    @Test
    @DisplayName("'Once upon a time' encodes to BOS ' Once' ' upon' ' a' ' time'")
    void encodesOnceUponATime() {
        assertThat(tok512.encode("Once upon a time", true, false)).containsExactly(1, 403, 407, 261, 378);
    }

    @Test
    void encodesPunctuationAndApostrophesAsRunCDoes() {
        // ' Lily' ''' 's' ' mom' ' said' ',' ' "' 'D' 'on' ''' 't' ' w' 'or' 'r' 'y' '.' '"'
        assertThat(tok512.encode("Lily's mom said, \"Don't worry.\"", true, false))
                .containsExactly(1, 317, 439, 419, 357, 336, 432, 313, 455, 289, 439, 413, 263, 304, 420, 422, 426, 436);
    }

    @Test
    @DisplayName("code points outside the vocabulary fall back to one <0xXX> token (byte + 3) per UTF-8 byte")
    void encodesUnknownCodePointsAsBytes() {
        // ' h' 'é' 'll' 'o' ' ' then 日 = E6 97 A5 and 本 = E6 9C AC as byte tokens
        assertThat(tok512.encode("héllo 日本", true, false))
                .containsExactly(1, 270, 485, 306, 414, 410, 0xE6 + 3, 0x97 + 3, 0xA5 + 3, 0xE6 + 3, 0x9C + 3, 0xAC + 3);
        assertThat(tok512.encode("a\nb", true, false)).containsExactly(1, 261, 0x0A + 3, 430);
    }

    @Test
    void emptyPromptIsOnlyBosWithoutDummyPrefix() {
        assertThat(tok512.encode("", true, false)).containsExactly(Tokenizer.BOS);
        assertThat(tok512.encode("", false, false)).isEmpty();
        assertThat(tok512.encode("", true, true)).containsExactly(Tokenizer.BOS, Tokenizer.EOS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Once upon a time, there was a little girl named Lily.", "héllo 日本 🙂 ok", "a\nb\tc",
            "  two leading spaces", "x", "Tom said: \"Yes!\""})
    void decodingAfterBosGivesBackTheText(String text) {
        int[] tokens = tok512.encode(text, true, false);
        assertThat(tok512.decodeAll(tokens[0], Arrays.copyOfRange(tokens, 1, tokens.length))).isEqualTo(text);
    }

    @Test
    @DisplayName("bytes that are not UTF-8 encode to byte tokens and decode to U+FFFD, one per byte")
    void invalidUtf8BytesSurviveEncodingAndDecodeAsReplacement() {
        byte[] text = {'a', (byte) 0xFF, (byte) 0x80, 'b', (byte) 0xE6, (byte) 0x97};
        int[] tokens = tok512.encode(text, true, false);
        assertThat(tokens).contains(0xFF + 3);
        // run.c keeps a stray continuation byte with the code point before it: 0xFF 0x80 is one group
        String decoded = tok512.decodeAll(tokens[0], Arrays.copyOfRange(tokens, 1, tokens.length));
        assertThat(decoded).isEqualTo("a\uFFFD\uFFFDb\uFFFD\uFFFD");
    }

    @Test
    void assemblerHoldsBackASplitCharacterUntilItsLastByte() {
        Utf8Assembler a = new Utf8Assembler();
        assertThat(a.append(new byte[] {(byte) 0xE6})).isEmpty();
        assertThat(a.append(new byte[] {(byte) 0x97})).isEmpty();
        assertThat(a.hasPending()).isTrue();
        assertThat(a.append(new byte[] {(byte) 0xA5, 'x'})).isEqualTo("日x");
        assertThat(a.append(new byte[] {(byte) 0xF0, (byte) 0x9F})).isEmpty();
        assertThat(a.finish()).isEqualTo("\uFFFD\uFFFD");
        assertThat(a.append(new byte[] {(byte) 0xC0, (byte) 0xED, (byte) 0xA0, 'z'})).isEqualTo("\uFFFD\uFFFD\uFFFDz");
    }

    @Test
    void decodeDropsTheLeadingSpaceOnlyDirectlyAfterBos() {
        assertThat(new String(tok512.decode(Tokenizer.BOS, 403), StandardCharsets.UTF_8)).isEqualTo("Once");
        assertThat(new String(tok512.decode(378, 403), StandardCharsets.UTF_8)).isEqualTo(" Once");
        assertThat(tok512.decode(378, 0x0A + 3)).containsExactly('\n');
    }

    @Test
    @DisplayName("merges follow score order: the fixture's ' hello' and ' world' need chains of pair merges")
    void fixtureTokenizerMergesByScore() throws Exception {
        Tokenizer t = Tokenizer.load(RandomModelFixture.writeTokenizer(tmp.resolve("tok.bin")));
        var pieces = RandomModelFixture.pieces();
        assertThat(t.encode("hello world", true, false))
                .containsExactly(1, pieces.indexOf(" hello"), pieces.indexOf(" world"));
        assertThat(t.encode("held", false, false))
                .containsExactly(pieces.indexOf(" "), pieces.indexOf("he"), pieces.indexOf("ld"));
    }

    @Test
    void vocabularySizeOtherThanTheModelsIsRefusedNamingTheFile() {
        Path file = TestModels.stories260K().tokenizer();
        assertThatThrownBy(() -> Tokenizer.load(file, 32000))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("vocabulary mismatch")
                .hasMessageContaining("512")
                .hasMessageContaining("32000");
    }

    @Test
    void truncatedTokenizerIsRefusedNamingTheFile() throws Exception {
        byte[] full = Files.readAllBytes(TestModels.stories260K().tokenizer());
        Path cut = Files.write(tmp.resolve("cut.bin"), Arrays.copyOf(full, full.length - 3));
        assertThatThrownBy(() -> Tokenizer.load(cut, 512))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(cut.toString())
                .hasMessageContaining("truncated tokenizer");
    }

    @Test
    void corruptTokenLengthIsRefused() throws Exception {
        byte[] bytes = Files.readAllBytes(TestModels.stories260K().tokenizer());
        bytes[4 + 4] = (byte) 0x7F; // first token's length far beyond max_token_length
        Path bad = Files.write(tmp.resolve("bad.bin"), bytes);
        assertThatThrownBy(() -> Tokenizer.load(bad))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("corrupt tokenizer")
                .hasMessageContaining("max_token_length");
    }
}
