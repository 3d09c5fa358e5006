package io.gridshare.node.zoo;

import io.gridshare.node.model.gguf.GgufWriter;
import io.gridshare.node.tokenizer.BpeTrainer;
import io.gridshare.node.tokenizer.PreTokenizer;
import io.gridshare.node.tokenizer.TrainingText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A zoo model's tokenizer metadata: a vocabulary learned by {@link BpeTrainer} on
 * {@link TrainingText} in the family's form, its special tokens where the real family has them,
 * padded with normal tokens when the model's vocabulary is larger than the text can teach.
 *
 * @param merges byte-level BPE merges, null for SentencePiece
 * @param scores SentencePiece scores, null for byte-level BPE
 */
public record ZooVocabulary(List<String> tokens, int[] types, float[] scores, List<String> merges, int bos, int eos,
                            Integer unknown, Integer eot, boolean addBos) {

    /** Vocabularies are learned up to this size; larger ones are padded (learning more takes too long for tests). */
    static final int LEARNED_MAX = 2048;
    private static final int TEXT_CHARS = 60_000;
    private static final int NORMAL = 1, CONTROL = 3;
    private static final Map<String, ZooVocabulary> CACHE = new ConcurrentHashMap<>();

    /** The vocabulary for {@code family} of {@code size} tokens learned from text of {@code seed} (cached). */
    public static ZooVocabulary of(ZooFamily family, int size, long seed) {
        return CACHE.computeIfAbsent(family + "/" + size + "/" + seed, k -> learn(family, size, seed));
    }

    private static ZooVocabulary learn(ZooFamily family, int size, long seed) {
        int learned = Math.min(size, LEARNED_MAX);
        String text = TrainingText.generate(seed, TEXT_CHARS);
        return switch (family) {
            case LLAMA2_SPM -> {
                BpeTrainer.Learned l = BpeTrainer.sentencePiece(text, learned);
                yield padded(l, size, 1, 2, 0, null, true);
            }
            case LLAMA3 -> {
                List<String> specials = BpeTrainer.LLAMA3_SPECIALS;
                BpeTrainer.Learned l = BpeTrainer.byteLevel(text, PreTokenizer.LLAMA3, learned, specials);
                int base = l.tokens().size() - specials.size();
                yield padded(l, size, base, base + 1, null, base + 2, true);
            }
            case QWEN2 -> {
                List<String> specials = BpeTrainer.QWEN2_SPECIALS;
                BpeTrainer.Learned l = BpeTrainer.byteLevel(text, PreTokenizer.QWEN2, learned, specials);
                int base = l.tokens().size() - specials.size();
                // Qwen2 adds no BOS; <|endoftext|> is both BOS and EOS, <|im_end|> ends a turn
                yield padded(l, size, base, base, null, base + 2, false);
            }
            case SMOLLM2 -> {
                List<String> specials = BpeTrainer.QWEN2_SPECIALS;
                BpeTrainer.Learned l = BpeTrainer.byteLevel(text, PreTokenizer.SMOLLM, learned, specials);
                int base = l.tokens().size() - specials.size();
                // SmolLM2-Instruct: BOS <|im_start|>, EOS <|im_end|>, no BOS added
                yield padded(l, size, base + 1, base + 2, null, null, false);
            }
        };
    }

    /** Appends normal tokens (after the specials, as real vocabularies append reserved ones) up to {@code size}. */
    private static ZooVocabulary padded(BpeTrainer.Learned l, int size, int bos, int eos, Integer unknown, Integer eot,
                                        boolean addBos) {
        boolean spm = l.scores() != null;
        List<String> tokens = new ArrayList<>(l.tokens());
        if (tokens.size() > size) {
            throw new IllegalArgumentException("the learned vocabulary has " + tokens.size() + " tokens, more than "
                    + size + "; ask for a larger vocabulary");
        }
        int learned = tokens.size();
        int[] types = Arrays.copyOf(l.types(), size);
        float[] scores = spm ? Arrays.copyOf(l.scores(), size) : null;
        float lowest = spm ? l.scores()[learned - 1] : 0f;
        for (int id = learned; id < size; id++) {
            // text no input contains verbatim, so tokenization never picks them; random weights still generate them
            tokens.add((spm ? "\u2581" : "\u0120") + "zq" + Integer.toString(id, 36));
            types[id] = NORMAL;
            if (spm) {
                scores[id] = lowest - 1 - (id - learned);
            }
        }
        return new ZooVocabulary(List.copyOf(tokens), types, scores, l.merges() == null ? null : List.copyOf(l.merges()),
                bos, eos, unknown, eot, addBos);
    }

    /** Writes the tokenizer.ggml.* keys. */
    void writeTo(GgufWriter w, ZooFamily family) {
        w.putString("tokenizer.ggml.model", family.tokenizerModel());
        if (family.pre() != null) {
            w.putString("tokenizer.ggml.pre", family.pre());
        }
        w.putStringArray("tokenizer.ggml.tokens", tokens).putInt32Array("tokenizer.ggml.token_type", types);
        if (scores != null) {
            w.putFloat32Array("tokenizer.ggml.scores", scores);
        }
        if (merges != null) {
            w.putStringArray("tokenizer.ggml.merges", merges);
        }
        w.putUInt32("tokenizer.ggml.bos_token_id", bos).putUInt32("tokenizer.ggml.eos_token_id", eos);
        if (unknown != null) {
            w.putUInt32("tokenizer.ggml.unknown_token_id", unknown);
        }
        if (eot != null) {
            w.putUInt32("tokenizer.ggml.eot_token_id", eot);
        }
        w.putBool("tokenizer.ggml.add_bos_token", addBos).putBool("tokenizer.ggml.add_eos_token", false);
        w.putString("tokenizer.chat_template", family.chatTemplate());
    }

    /** Whether token {@code id} is a control token. */
    public boolean isControl(int id) {
        return types[id] == CONTROL;
    }
}
