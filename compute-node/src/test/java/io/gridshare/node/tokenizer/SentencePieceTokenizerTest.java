package io.gridshare.node.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SentencePieceTokenizerTest {

    /** <unk> <s> </s>, byte tokens 3..258, then the given pieces with the given scores. */
    static SentencePieceTokenizer vocab(Boolean addSpacePrefix, Object... piecesAndScores) {
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        List<Integer> types = new ArrayList<>(List.of(2, 3, 3));
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
            types.add(6);
        }
        float[] scores = new float[tokens.size() + piecesAndScores.length / 2];
        for (int i = 0; i < piecesAndScores.length; i += 2) {
            scores[tokens.size()] = ((Number) piecesAndScores[i + 1]).floatValue();
            tokens.add((String) piecesAndScores[i]);
            types.add(1);
        }
        return SentencePieceTokenizer.of(TokenizerSpec.of("llama", null, tokens, scores,
                types.stream().mapToInt(Integer::intValue).toArray(), null).withFlags(null, null, addSpacePrefix));
    }

    static final int PIECES = 259;

    @Test
    void mergesTheHighestScoringPairFirst() {
        // a=259 b=260 c=261 ab=262 bc=263
        SentencePieceTokenizer higherBc = vocab(false, "a", -5, "b", -5, "c", -5, "ab", -2, "bc", -1);
        assertThat(higherBc.encode("abc", false, false)).containsExactly(PIECES, PIECES + 4);
        SentencePieceTokenizer higherAb = vocab(false, "a", -5, "b", -5, "c", -5, "ab", -1, "bc", -2);
        assertThat(higherAb.encode("abc", false, false)).containsExactly(PIECES + 3, PIECES + 2);
    }

    @Test
    void onATieTheLeftmostPairMergesFirst() {
        SentencePieceTokenizer tie = vocab(false, "a", -5, "b", -5, "c", -5, "ab", -1, "bc", -1);
        assertThat(tie.encode("abc", false, false)).containsExactly(PIECES + 3, PIECES + 2);
    }

    @Test
    void addsTheDummyPrefixAndEscapesSpaces() {
        // ▁=259 h=260 i=261 ▁h=262 ▁hi=263
        SentencePieceTokenizer t = vocab(null, "▁", -1, "h", -3, "i", -3, "▁h", -2, "▁hi", -1);
        assertThat(t.encode("hi hi", false, false)).containsExactly(PIECES + 4, PIECES + 4);
        assertThat(t.encode("hi", true, false)).containsExactly(1, PIECES + 4);
        SentencePieceTokenizer noPrefix = vocab(false, "▁", -1, "h", -3, "i", -3, "▁h", -2, "▁hi", -1);
        assertThat(noPrefix.encode("hi", false, false)).containsExactly(PIECES + 1, PIECES + 2);
    }

    @Test
    void fallsBackToByteTokensForCharactersNotInTheVocabulary() {
        SentencePieceTokenizer t = vocab(false, "a", -1);
        // ü is C3 BC
        assertThat(t.encode("aü", false, false)).containsExactly(PIECES, 3 + 0xC3, 3 + 0xBC);
        assertThat(t.decodeAll(t.encode("aü", false, false))).isEqualTo("aü");
    }

    @Test
    void controlTokenTextsBecomeTokensOnlyWhenParsingSpecials() {
        SentencePieceTokenizer t = vocab(null, "▁", -1, "x", -2, "▁x", -1, "<", -3, "/", -3, "s", -3, ">", -3);
        assertThat(t.encode("x</s>", false, true)).containsExactly(PIECES + 2, 2);
        assertThat(t.encode("</s>x", false, true)).containsExactly(2, PIECES + 2);
        assertThat(t.encode("x</s>", false, false)).doesNotContain(2).startsWith(PIECES + 2);
    }

    @Test
    void decodingKeepsTheSpaceAfterBosButDropsItAtTheStartOfASequence() {
        SentencePieceTokenizer t = vocab(null, "▁", -1, "h", -3, "i", -3, "▁h", -2, "▁hi", -1);
        int hi = PIECES + 4;
        // llama.cpp's detokenize only strips the first token's space when the sequence does not start with BOS
        assertThat(t.decodeAll(new int[] {hi, hi})).isEqualTo("hi hi");
        assertThat(t.decodeAll(new int[] {1, hi, 2})).isEqualTo(" hi");
        assertThat(t.decode(1, hi)).containsExactly(' ', 'h', 'i');
        assertThat(t.decode(1, 2)).isEmpty();
    }

    @Test
    void llama2LikeDefaultsAddBosNotEosAndEndAtEos() {
        SentencePieceTokenizer t = vocab(null, "a", -1);
        assertThat(t.bos()).isEqualTo(1);
        assertThat(t.eos()).isEqualTo(2);
        assertThat(t.endOfGeneration()).containsExactly(2);
        assertThat(t.isControl(1)).isTrue();
        assertThat(t.isControl(PIECES)).isFalse();
        assertThat(t.encode("a", true, false)).startsWith(1).doesNotContain(2);
    }

    @Test
    void aTrainedVocabularyRoundTripsTheCorpus() {
        TextTokenizer t = Tokenizers.fromSpec(BpeTrainer.sentencePieceSpec(1, 900));
        for (String s : TokenizerCorpus.strings(2, 1000)) {
            int[] ids = t.encode(s, false, false);
            assertThat(t.decodeAll(ids)).as("%s", s).isEqualTo(s);
        }
    }
}
