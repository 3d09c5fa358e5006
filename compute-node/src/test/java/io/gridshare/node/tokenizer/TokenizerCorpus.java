package io.gridshare.node.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Test strings for comparing tokenizers: Unicode of many scripts, emoji with ZWJ and skin tones,
 * runs of spaces and newlines, digit runs of many lengths, contractions in any case, and
 * special-token texts embedded in text.
 */
public final class TokenizerCorpus {

    static final String[] SPECIAL_TEXTS = {"<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>",
        "<|start_header_id|>", "<|end_header_id|>", "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<s>", "</s>",
        "<unk>", "<|eot_id", "<|im_", "|>"};
    static final String[] FIXED = {"", " ", "  ", "\n", "\n\n\n", " \n", "\t", "a", "Hello world",
        " Hello world", "Hello  world", "hello   \n\nworld  ", "I'm", "I'LL", "we've", "THEY'RE", "it's'", "'s",
        "1", "12", "123", "1234", "12345", "1234567890", "3.14159", "1,000,000", "x=y+1;", "你好世界", "مرحبا بالعالم",
        "👨‍👩‍👧‍👦", "👍🏻 ok", "e\u0301", "naïve café", "Ελληνικά", "\u00A0\u00A0x", "a\u3000b", "<|eot_id|>",
        "<|im_start|>user\nhi<|im_end|>", "<|start_header_id|>system<|end_header_id|>\n\nYou are helpful.<|eot_id|>",
        "text</s>more", "<s> <s>", "tab\tand\ttabs", "trailing space ", "line\r\nbreak", "ㄱ", "🇯🇵🇫🇷",
        "   leading", "....", "!!!???", "$100", "§ 5 (a)", "ﬁ ligature", "ℌ𝔢𝔩𝔩𝔬"};

    private TokenizerCorpus() {
    }

    /** {@code n} strings (n >= FIXED.length gives all fixed ones first), the same for the same seed. */
    public static List<String> strings(long seed, int n) {
        Random r = new Random(seed);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < FIXED.length && out.size() < n; i++) {
            out.add(FIXED[i]);
        }
        while (out.size() < n) {
            out.add(random(r));
        }
        return out;
    }

    private static String random(Random r) {
        StringBuilder sb = new StringBuilder();
        int parts = 1 + r.nextInt(12);
        for (int i = 0; i < parts; i++) {
            int k = r.nextInt(20);
            if (k == 0) {
                sb.append(TrainingText.pick(r, SPECIAL_TEXTS));
            } else if (k == 1) {
                sb.append(" ".repeat(1 + r.nextInt(6)));
            } else if (k == 2) {
                sb.append("\n".repeat(1 + r.nextInt(4)));
            } else if (k == 3) {
                sb.append(TrainingText.number(r));
            } else if (k == 4) {
                sb.appendCodePoint(randomCodePoint(r));
            } else {
                sb.append(TrainingText.fragment(r));
            }
        }
        return sb.toString();
    }

    /** Any assigned, non-surrogate code point, weighted towards the BMP. */
    private static int randomCodePoint(Random r) {
        while (true) {
            int cp = r.nextBoolean() ? 0x20 + r.nextInt(0x3000) : r.nextInt(0x20000);
            if (cp > 0 && Character.isDefined(cp) && Character.getType(cp) != Character.SURROGATE
                    && Character.getType(cp) != Character.PRIVATE_USE) {
                return cp;
            }
        }
    }
}
