package io.gridshare.node.tokenizer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A GGUF vocabulary with the token attributes and special ids llama.cpp derives from it
 * (llama_vocab::impl::load): default special ids per model type, the text-based detection of
 * end-of-turn and fill-in-the-middle tokens (which also forces them to control), and the set of
 * end-of-generation tokens.
 */
final class Vocabulary {

    static final int UNDEFINED = 0;
    static final int UNKNOWN = 1;
    static final int UNUSED = 1 << 1;
    static final int NORMAL = 1 << 2;
    static final int CONTROL = 1 << 3;
    static final int USER_DEFINED = 1 << 4;
    static final int BYTE = 1 << 5;

    private static final Set<String> EOT_TEXTS = Set.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
            "<|endoftext|>", "<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>",
            "<end_of_utterance>");
    private static final Set<String> FIM_PRE = Set.of("<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>",
            "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>", "<|prefix|>");
    private static final Set<String> FIM_SUF = Set.of("<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>",
            "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>");
    private static final Set<String> FIM_MID = Set.of("<|fim_middle|>", "<fim-middle>", "<fim_middle>",
            "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>", "<|middle|>");
    private static final Set<String> FIM_PAD = Set.of("<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]");
    private static final Set<String> FIM_REP = Set.of("<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>",
            "<reponame>");
    private static final Set<String> FIM_SEP = Set.of("<|file_sep|>");
    private static final Set<String> EOG_TEXTS = Set.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>",
            "<|call|>", "<|flush|>", "<|calls|>", "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>",
            "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>",
            "<|tool_response>", "<｜end▁of▁sentence｜>", "[e~[");
    private static final Set<String> ALWAYS_RENDERED = Set.of("<|channel|>", "<|message|>", "<|start|>",
            "<|constrain|>");

    final String[] texts;
    final float[] scores;
    final int[] attrs;
    final Map<String, Integer> ids;
    final int bos;
    final int eos;
    final int unknown;
    final Set<Integer> endOfGeneration;
    /** Control, user-defined and unknown tokens, longest text first: the order llama.cpp splits them out. */
    final int[] specials;

    /** @param sentencePiece true for model "llama" (SPM defaults), false for "gpt2" (BPE defaults) */
    Vocabulary(TokenizerSpec spec, boolean sentencePiece) {
        int n = spec.tokens().size();
        texts = new String[n];
        scores = new float[n];
        attrs = new int[n];
        ids = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            String word = spec.tokens().get(i);
            if (word == null || word.isEmpty()) {
                word = "[EMPTY_" + i + "]";
            }
            Integer clash = ids.putIfAbsent(word, i);
            if (clash != null) {
                throw new IllegalArgumentException("duplicate token in tokenizer.ggml.tokens: '" + word + "' has ids "
                        + clash + " and " + i + "; the GGUF file is corrupt, re-convert the model");
            }
            texts[i] = word;
            scores[i] = spec.scores() == null ? 0f : spec.scores()[i];
            attrs[i] = spec.tokenTypes() == null ? NORMAL : attrOf(spec.tokenTypes()[i]);
        }
        int bosId = special(sentencePiece ? 1 : 11, spec.bos(), n);
        int eosId = special(sentencePiece ? 2 : 11, spec.eos(), n);
        int unkId = special(sentencePiece ? 0 : -1, spec.unknown(), n);
        int eot = special(-1, spec.eot(), n);
        int eom = special(-1, spec.eom(), n);
        int fimPad = -1, fimRep = -1, fimSep = -1;
        for (int i = 0; i < n; i++) {
            String t = texts[i];
            if (eot < 0 && EOT_TEXTS.contains(t)) {
                eot = forceControl(i);
            }
            if (eom < 0 && t.equals("<|eom_id|>")) {
                eom = forceControl(i);
            }
            if (FIM_PRE.contains(t) || FIM_SUF.contains(t) || FIM_MID.contains(t)) {
                forceControl(i);
            }
            if (fimPad < 0 && FIM_PAD.contains(t)) {
                fimPad = forceControl(i);
            }
            if (fimRep < 0 && FIM_REP.contains(t)) {
                fimRep = forceControl(i);
            }
            if (fimSep < 0 && FIM_SEP.contains(t)) {
                fimSep = forceControl(i);
            }
        }
        for (int i = 0; i < n; i++) {
            if ((attrs[i] & CONTROL) != 0 && texts[i].contains("unused")) {
                attrs[i] |= UNUSED;
            }
        }
        Set<Integer> eog = new TreeSet<>();
        for (int id : new int[] {fimPad, fimRep, fimSep}) {
            if (id >= 0) {
                eog.add(id);
            }
        }
        for (int i = 0; i < n; i++) {
            if (EOG_TEXTS.contains(texts[i])) {
                eog.add(forceControl(i));
            }
        }
        for (int i = 0; i < n; i++) {
            if (ALWAYS_RENDERED.contains(texts[i])) {
                attrs[i] = USER_DEFINED;
            }
        }
        for (int id : new int[] {eosId, eot, eom}) {
            if (id >= 0) {
                eog.add(id);
            }
        }
        dropAmbiguousEnds(eog);
        bos = bosId;
        eos = eosId;
        unknown = unkId;
        endOfGeneration = Collections.unmodifiableSet(eog);
        List<Integer> special = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if ((attrs[i] & (CONTROL | USER_DEFINED | UNKNOWN)) != 0) {
                special.add(i);
            }
        }
        special.sort(Comparator.comparingInt((Integer i) -> texts[i].length()).reversed());
        specials = special.stream().mapToInt(Integer::intValue).toArray();
    }

    /** llama.cpp's workarounds for o200k_harmony / solar-open ("<|end|>") and gemma4 ("</s>"). */
    private void dropAmbiguousEnds(Set<Integer> eog) {
        boolean ret = false, call = false, flush = false, toolResponse = false;
        int end = -1, s = -1;
        for (int id : eog) {
            switch (texts[id]) {
                case "<|return|>" -> ret = true;
                case "<|call|>", "<|calls|>" -> call = true;
                case "<|flush|>" -> flush = true;
                case "<|end|>" -> end = id;
                case "<|tool_response>" -> toolResponse = true;
                case "</s>" -> s = id;
                default -> { }
            }
        }
        if (end >= 0 && ((ret && call) || (call && flush))) {
            eog.remove(end);
            attrs[end] = USER_DEFINED;
        }
        if (toolResponse && s >= 0) {
            eog.remove(s);
            attrs[s] = NORMAL;
        }
    }

    private int forceControl(int id) {
        attrs[id] |= CONTROL;
        return id;
    }

    private static int special(int fallback, Integer given, int n) {
        int id = fallback >= n ? -1 : fallback;
        if (given != null && given >= 0 && given < n) {
            id = given;
        }
        return id;
    }

    private static int attrOf(int type) {
        return switch (type) {
            case 1 -> NORMAL;
            case 2 -> UNKNOWN;
            case 3 -> CONTROL;
            case 4 -> USER_DEFINED;
            case 5 -> UNUSED;
            case 6 -> BYTE;
            default -> UNDEFINED;
        };
    }

    int size() {
        return texts.length;
    }

    /** The id of a vocabulary entry, or -1. */
    int id(String text) {
        Integer id = ids.get(text);
        return id == null ? -1 : id;
    }

    boolean has(int id, int attr) {
        return id >= 0 && id < attrs.length && (attrs[id] & attr) != 0;
    }

    void checkId(int id) {
        if (id < 0 || id >= texts.length) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + texts.length + ")");
        }
    }

    /**
     * Splits text into raw-text fragments and special-token fragments the way llama.cpp's
     * tokenizer_st_partition does: each special token in turn, longest first, is cut out of every
     * remaining raw fragment. Control and unknown tokens only when {@code parseSpecial}.
     */
    List<Fragment> partition(String text, boolean parseSpecial) {
        List<Fragment> fragments = new ArrayList<>();
        if (text.isEmpty()) {
            return fragments;
        }
        fragments.add(new Fragment(-1, text));
        for (int id : specials) {
            if (!parseSpecial && (attrs[id] & (CONTROL | UNKNOWN)) != 0) {
                continue;
            }
            String needle = texts[id];
            List<Fragment> next = new ArrayList<>(fragments.size() + 2);
            boolean changed = false;
            for (Fragment f : fragments) {
                if (f.token >= 0 || !f.text.contains(needle)) {
                    next.add(f);
                    continue;
                }
                changed = true;
                int from = 0;
                int at;
                while ((at = f.text.indexOf(needle, from)) >= 0) {
                    if (at > from) {
                        next.add(new Fragment(-1, f.text.substring(from, at)));
                    }
                    next.add(new Fragment(id, null));
                    from = at + needle.length();
                }
                if (from < f.text.length()) {
                    next.add(new Fragment(-1, f.text.substring(from)));
                }
            }
            if (changed) {
                fragments = next;
            }
        }
        return fragments;
    }

    /** A special token ({@code token >= 0}) or a run of raw text. */
    record Fragment(int token, String text) { }
}
