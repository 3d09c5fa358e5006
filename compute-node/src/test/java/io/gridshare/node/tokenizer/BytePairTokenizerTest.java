package io.gridshare.node.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BytePairTokenizerTest {

    /** The 256 alphabet tokens (id = byte's alphabet order), then {@code extra}, then control specials. */
    static TokenizerSpec spec(String pre, List<String> merges, List<String> extra, List<String> specials) {
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(String.valueOf(ByteUnicode.charOf(b)));
        }
        tokens.addAll(extra);
        int[] types = new int[tokens.size() + specials.size()];
        Arrays.fill(types, 1);
        for (String s : specials) {
            types[tokens.size()] = 3;
            tokens.add(s);
        }
        return TokenizerSpec.of("gpt2", pre, tokens, null, types, merges);
    }

    @Test
    void mergesTheLowestRankFirst() {
        TextTokenizer abFirst = Tokenizers.fromSpec(spec("gpt-2", List.of("a b", "b c"), List.of("ab", "bc"), List.of()));
        assertThat(abFirst.encode("abc", false, false)).containsExactly(256, 'c');
        TextTokenizer bcFirst = Tokenizers.fromSpec(spec("gpt-2", List.of("b c", "a b"), List.of("ab", "bc"), List.of()));
        assertThat(bcFirst.encode("abc", false, false)).containsExactly('a', 257);
    }

    @Test
    void spacesAreWrittenAsTheAlphabetsCapitalGWithDotAbove() {
        TextTokenizer t = Tokenizers.fromSpec(spec("gpt-2", List.of("Ġ a"), List.of("Ġa"), List.of()));
        assertThat(t.encode("a a", false, false)).containsExactly('a', 256);
        assertThat(t.decodeAll(new int[] {'a', 256})).isEqualTo("a a");
    }

    @Test
    void llama3TakesAWholeWordThatIsAnEntryEvenWithoutMerges() {
        List<String> extra = List.of("abc");
        assertThat(Tokenizers.fromSpec(spec("llama-bpe", List.of(), extra, List.of("<|begin_of_text|>")))
                .encode("abc", false, false)).containsExactly(256);
        assertThat(Tokenizers.fromSpec(spec("qwen2", List.of(), extra, List.of()))
                .encode("abc", false, false)).containsExactly('a', 'b', 'c');
    }

    @Test
    void specialTokensAreSplitOutOnlyWhenParsingSpecials() {
        TextTokenizer t = Tokenizers.fromSpec(spec("qwen2", List.of(), List.of(), List.of("<|im_start|>", "<|im_end|>")));
        assertThat(t.encode("<|im_start|>x<|im_end|>", false, true)).containsExactly(256, 'x', 257);
        int[] plain = t.encode("<|im_end|>", false, false);
        assertThat(plain).doesNotContain(256, 257);
        assertThat(t.decodeAll(plain)).isEqualTo("<|im_end|>");
        assertThat(t.decodeAll(new int[] {256, 'x', 257})).isEqualTo("x");
    }

    @Test
    void llama3AddsBosByDefaultAndQwen2DoesNot() {
        TokenizerSpec llama3 = BpeTrainer.llama3Spec(3, 600);
        TextTokenizer t = Tokenizers.fromSpec(llama3);
        assertThat(t.encode("hi", true, false)[0]).isEqualTo(t.bos());
        assertThat(t.piece(t.bos())).isEqualTo("<|begin_of_text|>");
        assertThat(t.endOfGeneration()).extracting(t::piece).containsExactlyInAnyOrder("<|end_of_text|>", "<|eot_id|>");
        TextTokenizer q = Tokenizers.fromSpec(BpeTrainer.qwen2Spec(3, 600));
        assertThat(q.encode("hi", true, false)).doesNotContain(q.bos());
        assertThat(q.endOfGeneration()).extracting(q::piece).containsExactlyInAnyOrder("<|endoftext|>", "<|im_end|>");
        TextTokenizer withEos = Tokenizers.fromSpec(llama3.withFlags(false, true, null));
        int[] ids = withEos.encode("hi", true, false);
        assertThat(ids[0]).isNotEqualTo(t.bos());
        assertThat(ids[ids.length - 1]).isEqualTo(t.eos());
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-bpe", "qwen2", "smollm", "gpt-2", "default"})
    void aTrainedVocabularyRoundTripsTheCorpus(String pre) {
        TokenizerSpec spec = switch (pre) {
            case "llama-bpe" -> BpeTrainer.llama3Spec(4, 700);
            case "qwen2" -> BpeTrainer.qwen2Spec(4, 700);
            default -> BpeTrainer.gpt2Spec(4, 700, pre);
        };
        TextTokenizer t = Tokenizers.fromSpec(spec);
        int merged = 0;
        for (String s : TokenizerCorpus.strings(5, 1000)) {
            int[] ids = t.encode(s, false, false);
            assertThat(t.decodeAll(ids)).as("%s", s).isEqualTo(s);
            merged += ids.length < s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length ? 1 : 0;
        }
        assertThat(merged).as("strings whose encoding used merged tokens").isGreaterThan(800);
    }

    @Test
    void cleanSpacesIsAppliedByDetokenizeButNotByTheTokenStream() {
        BytePairTokenizer t = (BytePairTokenizer) Tokenizers.fromSpec(BpeTrainer.gpt2Spec(6, 400, "gpt-2"));
        int[] ids = t.encode("Hi , you 're here .", false, false);
        assertThat(t.decodeAll(ids)).isEqualTo("Hi , you 're here .");
        assertThat(t.detokenize(ids)).isEqualTo("Hi, you're here.");
    }

    @Test
    void unknownModelsAreRejectedWithTheSupportedOnes() {
        TokenizerSpec bert = TokenizerSpec.of("bert", null, List.of("a"), null, null, null);
        assertThatThrownBy(() -> Tokenizers.fromSpec(bert)).isInstanceOf(UnsupportedTokenizerException.class)
                .hasMessageContaining("'bert'").hasMessageContaining("\"llama\"").hasMessageContaining("\"gpt2\"");
        TokenizerSpec noMerges = TokenizerSpec.of("gpt2", "qwen2", List.of("a"), null, null, null);
        assertThatThrownBy(() -> Tokenizers.fromSpec(noMerges)).hasMessageContaining("tokenizer.ggml.merges");
    }
}
