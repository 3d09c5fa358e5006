package io.gridshare.node.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridshare.node.model.TestModels;
import io.gridshare.node.model.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class Llama2cTextTokenizerTest {

    static Tokenizer old;
    static Llama2cTextTokenizer adapter;

    @BeforeAll
    static void load() throws Exception {
        old = Tokenizer.load(TestModels.stories260K().tokenizer(), 512);
        adapter = new Llama2cTextTokenizer(old);
    }

    @Test
    void encodesAndDecodesExactlyAsTheLlama2cTokenizer() {
        for (String s : TokenizerCorpus.strings(21, 300)) {
            assertThat(adapter.encode(s, true, true)).as("%s", s).containsExactly(old.encode(s, true, false));
            assertThat(adapter.encode(s, false, false)).as("%s", s).containsExactly(old.encode(s, false, false));
            int[] ids = old.encode(s, true, false);
            assertThat(adapter.decodeAll(ids)).isEqualTo(old.decodeAll(-1, ids));
            for (int i = 1; i < ids.length; i++) {
                assertThat(adapter.decode(ids[i - 1], ids[i])).containsExactly(old.decode(ids[i - 1], ids[i]));
            }
        }
    }

    @Test
    void hasLlama2csSpecialTokens() {
        assertThat(adapter.bos()).isEqualTo(1);
        assertThat(adapter.eos()).isEqualTo(2);
        assertThat(adapter.endOfGeneration()).containsExactly(2);
        assertThat(adapter.isControl(1)).isTrue();
        assertThat(adapter.isControl(300)).isFalse();
        assertThat(adapter.vocabSize()).isEqualTo(512);
        assertThat(adapter.piece(3)).isEqualTo("<0x00>");
    }
}
