package io.gridshare.node.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Learns small but realistic vocabularies for tests: byte-level BPE in GGUF's form (tokens and
 * "a b" merges in GPT-2's byte alphabet) and SentencePiece-style "llama" vocabularies (pieces with
 * U+2581 and scores, byte tokens, &lt;unk&gt; &lt;s&gt; &lt;/s&gt;).
 */
public final class BpeTrainer {

    public static final List<String> LLAMA3_SPECIALS = List.of("<|begin_of_text|>", "<|end_of_text|>",
            "<|eot_id|>", "<|start_header_id|>", "<|end_header_id|>");
    public static final List<String> QWEN2_SPECIALS = List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>");

    /** A learned vocabulary: tokens, their types and scores, and (byte-level only) merges. */
    public record Learned(List<String> tokens, int[] types, float[] scores, List<String> merges) { }

    /** Enough text for a few hundred merges, small enough to train in about a second. */
    static final int TRAINING_CHARS = 12_000;

    private BpeTrainer() {
    }

    /**
     * Byte-level BPE: the 256 alphabet characters, then merged tokens until {@code targetSize}
     * minus the specials, then {@code specials} as control tokens.
     */
    public static Learned byteLevel(String text, PreTokenizer pre, int targetSize, List<String> specials) {
        Map<String, Integer> wordCounts = new HashMap<>();
        for (String w : pre.split(text)) {
            wordCounts.merge(ByteUnicode.encode(w), 1, Integer::sum);
        }
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(String.valueOf(ByteUnicode.charOf(b)));
        }
        List<String> merges = new ArrayList<>();
        List<List<String>> words = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (Map.Entry<String, Integer> e : new TreeMap<>(wordCounts).entrySet()) {
            List<String> symbols = new ArrayList<>();
            e.getKey().chars().forEach(c -> symbols.add(String.valueOf((char) c)));
            words.add(symbols);
            counts.add(e.getValue());
        }
        learn(words, counts, targetSize - specials.size(), tokens, merges, " ");
        int[] types = new int[tokens.size() + specials.size()];
        java.util.Arrays.fill(types, 1);
        for (String s : specials) {
            types[tokens.size()] = 3;
            tokens.add(s);
        }
        return new Learned(tokens, types, null, merges);
    }

    /**
     * A SentencePiece "llama" vocabulary: &lt;unk&gt;, &lt;s&gt;, &lt;/s&gt;, the 256 byte tokens,
     * every character seen at least twice, then pieces merged BPE-style over ▁-prefixed words;
     * scores fall with the merge order, as SentencePiece's BPE models do.
     */
    public static Learned sentencePiece(String text, int targetSize) {
        String escaped = ("▁" + text.replace(' ', '▁'));
        Map<String, Integer> wordCounts = new HashMap<>();
        Map<Integer, Integer> charCounts = new TreeMap<>();
        int start = 0;
        for (int i = 1; i <= escaped.length(); i++) {
            if (i == escaped.length() || (escaped.charAt(i) == '▁' && escaped.charAt(i - 1) != '▁')) {
                wordCounts.merge(escaped.substring(start, i), 1, Integer::sum);
                start = i;
            }
        }
        escaped.codePoints().forEach(cp -> charCounts.merge(cp, 1, Integer::sum));
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        List<Integer> types = new ArrayList<>(List.of(2, 3, 3));
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
            types.add(6);
        }
        int firstPiece = tokens.size();
        for (Map.Entry<Integer, Integer> e : charCounts.entrySet()) {
            if (e.getValue() >= 2) {
                tokens.add(Character.toString(e.getKey()));
            }
        }
        List<List<String>> words = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (Map.Entry<String, Integer> e : new TreeMap<>(wordCounts).entrySet()) {
            List<String> symbols = new ArrayList<>();
            e.getKey().codePoints().forEach(cp -> symbols.add(Character.toString(cp)));
            words.add(symbols);
            counts.add(e.getValue());
        }
        learn(words, counts, targetSize, tokens, new ArrayList<>(), " ");
        float[] scores = new float[tokens.size()];
        int[] typeArray = new int[tokens.size()];
        for (int i = 0; i < tokens.size(); i++) {
            typeArray[i] = i < types.size() ? types.get(i) : 1;
            scores[i] = i < firstPiece ? 0f : -(i - firstPiece);
        }
        return new Learned(tokens, typeArray, scores, null);
    }

    /**
     * Repeatedly merges the most frequent adjacent pair (ties: the smallest pair text) into a new token.
     * Pair counts are kept up to date incrementally (only the words holding the merged pair are
     * recounted), so learning a few thousand merges over tens of thousands of words takes seconds.
     */
    private static void learn(List<List<String>> words, List<Integer> counts, int targetSize, List<String> tokens,
            List<String> merges, String separator) {
        java.util.Set<String> known = new java.util.HashSet<>(tokens);
        Map<Pair, Integer> pairs = new HashMap<>();
        Map<Pair, java.util.Set<Integer>> holders = new HashMap<>();
        for (int w = 0; w < words.size(); w++) {
            count(words.get(w), w, counts.get(w), known, pairs, holders);
        }
        while (tokens.size() < targetSize) {
            Pair best = null;
            int bestCount = 1;
            for (Map.Entry<Pair, Integer> e : pairs.entrySet()) {
                if (e.getValue() > bestCount || (e.getValue() == bestCount && best != null && e.getKey().compareTo(best) < 0)) {
                    best = e.getKey();
                    bestCount = e.getValue();
                }
            }
            if (best == null) {
                return;
            }
            String a = best.a(), b = best.b(), ab = a + b;
            merges.add(a + separator + b);
            if (known.add(ab)) {
                tokens.add(ab);
            }
            for (int w : new ArrayList<>(holders.get(best))) {
                List<String> s = words.get(w);
                count(s, w, -counts.get(w), known, pairs, holders);
                for (int i = 0; i + 1 < s.size(); i++) {
                    if (s.get(i).equals(a) && s.get(i + 1).equals(b)) {
                        s.set(i, ab);
                        s.remove(i + 1);
                    }
                }
                count(s, w, counts.get(w), known, pairs, holders);
            }
        }
    }

    /** Adds {@code weight} for each adjacent pair of known symbols in word {@code w} (removing pairs that reach 0). */
    private static void count(List<String> s, int w, int weight, java.util.Set<String> known, Map<Pair, Integer> pairs,
            Map<Pair, java.util.Set<Integer>> holders) {
        for (int i = 0; i + 1 < s.size(); i++) {
            if (known.contains(s.get(i)) && known.contains(s.get(i + 1))) {
                Pair key = new Pair(s.get(i), s.get(i + 1));
                Integer left = pairs.merge(key, weight, Integer::sum);
                if (left == 0) {
                    pairs.remove(key);
                    holders.remove(key);
                } else if (weight > 0) {
                    holders.computeIfAbsent(key, k -> new java.util.HashSet<>()).add(w);
                }
            }
        }
    }

    /**
     * Two adjacent symbols. A record, not joined text: SentencePiece symbols may themselves be a
     * newline, which made a "a\nb" key split wrongly and the merge loop spin without merging.
     * Ordered as the text a + NUL + b, the tie-break of the trainer's non-incremental version.
     */
    private record Pair(String a, String b) implements Comparable<Pair> {
        @Override
        public int compareTo(Pair o) {
            return (a + '\u0000' + b).compareTo(o.a + '\u0000' + o.b);
        }
    }

    /** A Llama 3-like spec ("gpt2" model, "llama-bpe" pre, BOS &lt;|begin_of_text|&gt;, EOS &lt;|end_of_text|&gt;). */
    public static TokenizerSpec llama3Spec(long seed, int size) {
        Learned l = byteLevel(TrainingText.generate(seed, TRAINING_CHARS), PreTokenizer.LLAMA3, size, LLAMA3_SPECIALS);
        int base = l.tokens().size() - LLAMA3_SPECIALS.size();
        return TokenizerSpec.of("gpt2", "llama-bpe", l.tokens(), null, l.types(), l.merges())
                .withSpecialIds(base, base + 1, null, null, base + 2);
    }

    /** A Qwen2-like spec ("gpt2" model, "qwen2" pre, EOS &lt;|endoftext|&gt;, no BOS added). */
    public static TokenizerSpec qwen2Spec(long seed, int size) {
        Learned l = byteLevel(TrainingText.generate(seed, TRAINING_CHARS), PreTokenizer.QWEN2, size, QWEN2_SPECIALS);
        int base = l.tokens().size() - QWEN2_SPECIALS.size();
        return TokenizerSpec.of("gpt2", "qwen2", l.tokens(), null, l.types(), l.merges())
                .withSpecialIds(base, base, null, base, null).withFlags(false, null, null);
    }

    /** A GPT-2-like spec with one &lt;|endoftext|&gt; control token as BOS and EOS. */
    public static TokenizerSpec gpt2Spec(long seed, int size, String pre) {
        List<String> specials = List.of("<|endoftext|>");
        Learned l = byteLevel(TrainingText.generate(seed, TRAINING_CHARS), PreTokenizer.forName(pre), size, specials);
        int eot = l.tokens().size() - 1;
        return TokenizerSpec.of("gpt2", pre, l.tokens(), null, l.types(), l.merges())
                .withSpecialIds(eot, eot, null, null, null);
    }

    /** A Llama 2-like SentencePiece spec (BOS 1, EOS 2, UNK 0, add_bos). */
    public static TokenizerSpec sentencePieceSpec(long seed, int size) {
        Learned l = sentencePiece(TrainingText.generate(seed, TRAINING_CHARS), size);
        return TokenizerSpec.of("llama", null, l.tokens(), l.scores(), l.types(), null)
                .withSpecialIds(1, 2, 0, null, null);
    }
}
