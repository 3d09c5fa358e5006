package io.gridshare.node.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridshare.node.model.Utf8Assembler;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The engine streams decode() bytes through Utf8Assembler; no chunk may carry half a code point. */
class StreamingDecodeTest {

    static Stream<TextTokenizer> tokenizers() {
        return Stream.of(Tokenizers.fromSpec(BpeTrainer.llama3Spec(11, 600)),
                Tokenizers.fromSpec(BpeTrainer.qwen2Spec(11, 600)),
                Tokenizers.fromSpec(BpeTrainer.sentencePieceSpec(11, 600)));
    }

    @ParameterizedTest
    @MethodSource("tokenizers")
    void streamingTheEncodedCorpusGivesBackEachStringInWholeCodePoints(TextTokenizer t) {
        for (String s : TokenizerCorpus.strings(12, 1000)) {
            int[] ids = t.encode(s, false, true);
            String streamed = stream(t, ids, chunk -> assertThat(isWellFormed(chunk)).as("chunk %s", chunk).isTrue());
            assertThat(streamed).as("%s", s).isEqualTo(t.decodeAll(ids));
            if (!s.contains("<") || t.encode(s, false, false).length == ids.length) {
                assertThat(streamed).as("%s", s).isEqualTo(s);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("tokenizers")
    void streamingAnyTokenSequenceEqualsDecodeAll(TextTokenizer t) {
        Random r = new Random(13);
        for (int i = 0; i < 500; i++) {
            int[] ids = r.ints(1 + r.nextInt(20), 0, t.vocabSize()).toArray();
            assertThat(stream(t, ids, chunk -> { })).isEqualTo(t.decodeAll(ids));
        }
    }

    private static String stream(TextTokenizer t, int[] ids, java.util.function.Consumer<String> eachChunk) {
        Utf8Assembler assembler = new Utf8Assembler();
        StringBuilder out = new StringBuilder();
        int previous = -1;
        for (int id : ids) {
            String chunk = assembler.append(t.decode(previous, id));
            eachChunk.accept(chunk);
            out.append(chunk);
            previous = id;
        }
        return out.append(assembler.finish()).toString();
    }

    private static boolean isWellFormed(String chunk) {
        for (int i = 0; i < chunk.length(); i++) {
            char c = chunk.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= chunk.length() || !Character.isLowSurrogate(chunk.charAt(++i))) {
                    return false;
                }
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

}
