package io.gridshare.node.reference;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridshare.node.model.gguf.GgufFile;
import io.gridshare.node.model.gguf.GgufTokenizer;
import io.gridshare.node.tensor.GgmlType;
import io.gridshare.node.tokenizer.BytePairTokenizer;
import io.gridshare.node.tokenizer.TextTokenizer;
import io.gridshare.node.tokenizer.TokenizerCorpus;
import io.gridshare.node.zoo.ModelZoo;
import io.gridshare.node.zoo.ZooFamily;
import io.gridshare.node.zoo.ZooModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The project's tokenizers are byte-exact with llama.cpp's on the test corpus (1,000 strings of many
 * scripts, emoji, whitespace runs, digits, contractions and special-token texts) for every tokenizer
 * kind the zoo models carry: SentencePiece, llama-bpe, qwen2 and smollm; special-token parsing off
 * and on; and detokenization gives llama.cpp's text.
 */
class TokenizerAgreementTest {

    static final int STRINGS = 1000;
    /** Differences shown in a failure message, at most. */
    static final int SHOWN = 8;

    @TempDir
    static Path tmp;

    static LlamaCppReference llama;

    @BeforeAll
    static void startLlamaCpp() throws Exception {
        llama = LlamaCppReference.start(model(ZooFamily.LLAMA2_SPM), 1, 64);
    }

    @AfterAll
    static void stopLlamaCpp() {
        if (llama != null) {
            llama.close();
        }
    }

    /** A tiny model: only its vocabulary matters here. */
    static Path model(ZooFamily family) throws Exception {
        return ModelZoo.writeInto(new ZooModel(family, GgmlType.F32, 64, 1, 2, 2, 64, 1024, 42, true), tmp);
    }

    @ParameterizedTest(name = "{0}: tokenization equals llama.cpp's on 1,000 strings, special parsing off and on, and detokenization too")
    @EnumSource(ZooFamily.class)
    void tokenizationMatchesLlamaCpp(ZooFamily family) throws Exception {
        Path gguf = model(family);
        llama.load(gguf, 64);
        TextTokenizer tok;
        try (GgufFile file = GgufFile.open(gguf)) {
            tok = GgufTokenizer.from(file);
        }
        List<String> corpus = TokenizerCorpus.strings(7, STRINGS);
        List<String> failures = new ArrayList<>();
        int compared = 0;
        for (boolean special : new boolean[] {false, true}) {
            List<int[]> theirs = llama.tokenize(corpus, special, false);
            for (int i = 0; i < corpus.size(); i++) {
                int[] ours = tok.encode(corpus.get(i), false, special);
                compared++;
                if (!Arrays.equals(ours, theirs.get(i))) {
                    failures.add("special=" + special + " \"" + escape(corpus.get(i)) + "\": llama.cpp "
                            + Arrays.toString(theirs.get(i)) + ", ours " + Arrays.toString(ours));
                }
            }
            if (!special) {
                for (int i = 0; i < corpus.size(); i++) {
                    String expected = llama.detokenize(theirs.get(i));
                    String ours = detokenize(tok, theirs.get(i));
                    if (!ours.equals(expected)) {
                        failures.add("detokenize " + Arrays.toString(theirs.get(i)) + " of \"" + escape(corpus.get(i))
                                + "\": llama.cpp \"" + escape(expected) + "\", ours \"" + escape(ours) + "\"");
                    }
                }
            }
        }
        assertThat(failures).as("%s: %d of %d tokenizations and %d detokenizations differ from llama.cpp; first ones:%n%s",
                family, failures.size(), compared, corpus.size(),
                String.join("\n", failures.subList(0, Math.min(SHOWN, failures.size())))).isEmpty();
    }

    /**
     * llama_detokenize's text: byte-level BPE vocabularies apply clean_up_tokenization_spaces to a whole
     * sequence ({@link BytePairTokenizer#detokenize}); the token stream ({@code decodeAll}) does not, as
     * llama.cpp's token_to_piece does not.
     */
    static String detokenize(TextTokenizer tok, int[] ids) {
        return tok instanceof BytePairTokenizer bpe ? bpe.detokenize(ids) : tok.decodeAll(ids);
    }

    /** Java-style escapes for control and non-ASCII characters, so a failure shows exactly which text differed. */
    static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (cp >= 0x20 && cp < 0x7F) {
                        sb.appendCodePoint(cp);
                    } else {
                        for (char c : Character.toChars(cp)) {
                            sb.append(String.format("\\u%04X", (int) c));
                        }
                    }
                }
            }
        });
        return sb.toString();
    }
}
