package io.gridshare.node.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PreTokenizerTest {

    @Test
    void llama3SplitsDigitsInGroupsOfThreeAndQwen2SplitsEachDigit() {
        assertThat(PreTokenizer.LLAMA3.split("1234567")).containsExactly("123", "456", "7");
        assertThat(PreTokenizer.QWEN2.split("1234567")).containsExactly("1", "2", "3", "4", "5", "6", "7");
        assertThat(PreTokenizer.SMOLLM.split("ab 123")).containsExactly("ab", " ", "1", "2", "3");
        assertThat(PreTokenizer.GPT2.split("ab 123")).containsExactly("ab", " 123");
    }

    @Test
    void llama3MatchesContractionsInAnyCaseButGpt2OnlyInLowerCase() {
        assertThat(PreTokenizer.LLAMA3.split("I'LL we're")).containsExactly("I", "'LL", " we", "'re");
        assertThat(PreTokenizer.QWEN2.split("I'LL")).containsExactly("I", "'LL");
        assertThat(PreTokenizer.GPT2.split("I'LL we're")).containsExactly("I", "'", "LL", " we", "'re");
    }

    @Test
    void trailingSpacesBeforeANewlineStayWithTheNewline() {
        assertThat(PreTokenizer.LLAMA3.split("a  \nb")).containsExactly("a", "  \n", "b");
        assertThat(PreTokenizer.QWEN2.split("a  \n\nb")).containsExactly("a", "  \n\n", "b");
        assertThat(PreTokenizer.GPT2.split("a  \nb")).containsExactly("a", "  ", "\n", "b");
    }

    @Test
    void aRunOfSpacesLeavesItsLastSpaceToTheNextWord() {
        assertThat(PreTokenizer.LLAMA3.split("a   b")).containsExactly("a", "  ", " b");
        assertThat(PreTokenizer.GPT2.split("a   b  ")).containsExactly("a", "  ", " b", "  ");
        assertThat(PreTokenizer.LLAMA3.split("a   ")).containsExactly("a", "   ");
    }

    @Test
    void lettersOfAnyScriptFormWordsAndMarksAndEmojiDoNot() {
        assertThat(PreTokenizer.LLAMA3.split("你好世界 مرحبا")).containsExactly("你好世界", " مرحبا");
        assertThat(PreTokenizer.LLAMA3.split("e\u0301t\u00e9")).containsExactly("e", "\u0301t\u00e9");
        assertThat(PreTokenizer.LLAMA3.split("a😀😀!\n")).containsExactly("a", "😀😀!\n");
        assertThat(PreTokenizer.GPT2.split(" 😀x")).containsExactly(" 😀", "x");
    }

    @Test
    void nonAsciiWhitespaceCountsAsSpace() {
        assertThat(PreTokenizer.LLAMA3.split("a\u3000\u3000b")).containsExactly("a", "\u3000", "\u3000b");
        assertThat(PreTokenizer.QWEN2.split("a\u00A0\u00A0b")).containsExactly("a", "\u00A0", "\u00A0b");
    }

    @Test
    void theDefaultPreTokenizerSplitsPunctuationFirstAndDigitsInThrees() {
        assertThat(PreTokenizer.DEFAULT.split("hi!! 12345")).containsExactly("hi", "!!", " ", "123", "45");
    }

    @Test
    void llama3sHandWrittenSplitterAgreesWithQwen2sRegexWhenThereAreNoDigits() {
        for (String s : TokenizerCorpus.strings(7, 1500)) {
            String noDigits = s.codePoints().filter(cp -> !CodepointClass.isNumber(cp))
                    .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
            assertThat(PreTokenizer.LLAMA3.split(noDigits)).as("%s", noDigits)
                    .isEqualTo(PreTokenizer.QWEN2.split(noDigits));
        }
    }

    @Test
    void gpt2sHandWrittenSplitterAgreesWithTheGpt2RegexOverCollapsedText() {
        Pattern gpt2 = Pattern.compile("'s|'t|'re|'ve|'m|'ll|'d| ?[\u00D2A-Za-z]+| ?[\u00D10-9]+"
                + "| ?[^\\s\u00D2A-Za-z\u00D10-9]+|\\s+(?!\\S)|\\s+");
        for (String s : TokenizerCorpus.strings(8, 1500)) {
            StringBuilder collapsed = new StringBuilder();
            int[] cps = s.codePoints().toArray();
            for (int cp : cps) {
                collapsed.append(CodepointClass.collapsed(cp));
            }
            List<String> expected = new java.util.ArrayList<>();
            Matcher m = gpt2.matcher(collapsed);
            int last = 0;
            while (m.find()) {
                if (m.start() > last) {
                    expected.add(new String(cps, last, m.start() - last));
                }
                expected.add(new String(cps, m.start(), m.end() - m.start()));
                last = m.end();
            }
            if (last < cps.length) {
                expected.add(new String(cps, last, cps.length - last));
            }
            assertThat(PreTokenizer.GPT2.split(s)).as("%s", s).isEqualTo(expected);
        }
    }

    @Test
    void anUnknownPreTokenizerNameIsRejectedWithTheSupportedNames() {
        assertThatThrownBy(() -> PreTokenizer.forName("falcon"))
                .isInstanceOf(UnsupportedTokenizerException.class)
                .hasMessageContaining("'falcon'").hasMessageContaining("llama-bpe").hasMessageContaining("qwen2");
        assertThat(PreTokenizer.forName(null)).isEqualTo(PreTokenizer.DEFAULT);
    }
}
