package io.gridshare.node.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into words before BPE merges, as llama.cpp's unicode_regex_split does for each
 * LLAMA_VOCAB_PRE_TYPE: a chain of steps, each splitting every piece the previous one produced.
 * The GPT-2 and Llama 3 expressions run through llama.cpp's hand-written splitters; the others
 * through std::regex over "collapsed" text (one character per code point standing for its
 * Unicode category), reproduced here with java.util.regex over the same collapsed text.
 */
public enum PreTokenizer {
    /** Llama 3: letters with one leading non-letter, digits in groups of 3, contractions any case. */
    LLAMA3(Step.LLAMA3),
    /** Qwen2: like Llama 3 but every digit alone. */
    QWEN2(Step.regex("(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n" + Step.L + Step.N + "]?["
            + Step.L + "]+|[" + Step.N + "]| ?[^\\s" + Step.L + Step.N + "]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+")),
    /** SmolLM / StarCoder: every digit alone, then GPT-2's expression. */
    SMOLLM(Step.regex("[" + Step.N + "]"), Step.GPT2),
    /** GPT-2: contractions (lower case), optional space + letters / digits / other, spaces. */
    GPT2(Step.GPT2),
    /** llama.cpp's fallback when tokenizer.ggml.pre is absent or "default". */
    DEFAULT(Step.regex("[" + Step.P + "$+<=>^~|]+"), Step.GPT2, Step.regex("[" + Step.N + "]+"),
            Step.regex("[0-9][0-9][0-9]"));

    private final Step[] steps;

    PreTokenizer(Step... steps) {
        this.steps = steps;
    }

    /** The words of {@code text}, in order; their concatenation is {@code text}. */
    public List<String> split(String text) {
        int[] cps = text.codePoints().toArray();
        List<Integer> lengths = new ArrayList<>();
        if (cps.length > 0) {
            lengths.add(cps.length);
        }
        String collapsed = null;
        for (Step step : steps) {
            if (step.pattern != null && collapsed == null) {
                StringBuilder sb = new StringBuilder(cps.length);
                for (int cp : cps) {
                    sb.append(CodepointClass.collapsed(cp));
                }
                collapsed = sb.toString();
            }
            lengths = step.split(cps, collapsed, lengths);
        }
        List<String> words = new ArrayList<>(lengths.size());
        int start = 0;
        for (int len : lengths) {
            words.add(new String(cps, start, len));
            start += len;
        }
        return words;
    }

    private static final Map<String, PreTokenizer> NAMES = Map.ofEntries(
            Map.entry("default", DEFAULT),
            Map.entry("llama3", LLAMA3), Map.entry("llama-v3", LLAMA3), Map.entry("llama-bpe", LLAMA3),
            Map.entry("falcon3", LLAMA3), Map.entry("falcon-h1", LLAMA3), Map.entry("pixtral", LLAMA3),
            Map.entry("midm-2.0", LLAMA3), Map.entry("lfm2", LLAMA3), Map.entry("dbrx", LLAMA3),
            Map.entry("smaug-bpe", LLAMA3),
            Map.entry("qwen2", QWEN2), Map.entry("deepseek-r1-qwen", QWEN2), Map.entry("megrez", QWEN2),
            Map.entry("stablelm2", QWEN2),
            Map.entry("smollm", SMOLLM), Map.entry("starcoder", SMOLLM), Map.entry("refact", SMOLLM),
            Map.entry("command-r", SMOLLM), Map.entry("codeshell", SMOLLM), Map.entry("exaone", SMOLLM),
            Map.entry("minerva-7b", SMOLLM),
            Map.entry("gpt-2", GPT2), Map.entry("gpt2", GPT2), Map.entry("phi-2", GPT2), Map.entry("mpt", GPT2),
            Map.entry("olmo", GPT2), Map.entry("jais", GPT2), Map.entry("exaone4", GPT2));

    /**
     * The pre-tokenizer for a tokenizer.ggml.pre value; null or empty means "default", as in
     * llama.cpp.
     *
     * @throws UnsupportedTokenizerException naming the supported values
     */
    public static PreTokenizer forName(String pre) {
        if (pre == null || pre.isEmpty()) {
            return DEFAULT;
        }
        PreTokenizer p = NAMES.get(pre);
        if (p == null) {
            throw new UnsupportedTokenizerException("unsupported tokenizer.ggml.pre '" + pre + "'; supported: "
                    + new java.util.TreeSet<>(NAMES.keySet()));
        }
        return p;
    }

    /** Whether llama.cpp sets clean_spaces for this name (its detokenizer then drops " ." etc.). */
    static boolean cleansSpaces(String pre) {
        String p = pre == null ? "" : pre.toLowerCase(Locale.ROOT);
        return switch (p) {
            case "qwen2", "deepseek-r1-qwen", "smollm", "command-r" -> false;
            default -> true;
        };
    }

    /** Whether llama.cpp takes a whole pre-tokenized word that is a vocabulary entry as is. */
    boolean ignoresMerges() {
        return this == LLAMA3;
    }

    private record Step(Pattern pattern, boolean llama3) {
        static final String L = "\u00D2A-Za-z";
        static final String N = "\u00D10-9";
        static final String P = "\u00D3!-#%-*,-/:-;?-@\\[-\\]_{}";
        static final Step GPT2 = new Step(null, false);
        static final Step LLAMA3 = new Step(null, true);

        static Step regex(String expression) {
            return new Step(Pattern.compile(expression), false);
        }

        List<Integer> split(int[] cps, String collapsed, List<Integer> lengths) {
            List<Integer> out = new ArrayList<>(lengths.size() * 2);
            int start = 0;
            for (int len : lengths) {
                if (pattern != null) {
                    splitRegex(collapsed, start, start + len, out);
                } else if (llama3) {
                    CustomSplitters.llama3(cps, start, start + len, out);
                } else {
                    CustomSplitters.gpt2(cps, start, start + len, out);
                }
                start += len;
            }
            return out;
        }

        private void splitRegex(String collapsed, int from, int to, List<Integer> out) {
            Matcher m = pattern.matcher(collapsed).region(from, to);
            int last = from;
            while (m.find()) {
                if (m.start() > last) {
                    out.add(m.start() - last);
                }
                if (m.end() > m.start()) {
                    out.add(m.end() - m.start());
                }
                last = m.end();
            }
            if (last < to) {
                out.add(to - last);
            }
        }
    }
}
