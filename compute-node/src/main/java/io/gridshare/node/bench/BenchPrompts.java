package io.gridshare.node.bench;

import io.gridshare.node.model.ModelFiles;
import io.gridshare.node.model.Tokenizer;
import io.gridshare.node.model.gguf.GgufFile;
import io.gridshare.node.model.gguf.GgufTokenizer;
import io.gridshare.node.tokenizer.Llama2cTextTokenizer;
import io.gridshare.node.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Benchmark prompts of a chosen length in tokens, one distinct text per job (so concurrent jobs do
 * not compute the same thing), built from plain story sentences and trimmed with the model's own
 * tokenizer. Without a tokenizer the length is approximate (one word per token), which
 * {@link #exact()} says; the engine's count of what it really evaluated is reported either way.
 */
public final class BenchPrompts {

    private static final List<String> SENTENCES = List.of(
            "Once upon a time, there was a little girl who loved to play in the park.",
            "Every morning she took her red ball and ran to the big green tree.",
            "One day a small dog came to her and wanted to play too.",
            "They played together until the sun went down and the sky turned orange.",
            "Her mom called her home for dinner, and she told her about the dog.",
            "The next day the dog was waiting by the gate with the ball in its mouth.",
            "They became best friends and went on many adventures in the woods.",
            "At night she dreamed of the dog, the tree and the bright blue sky.");

    private final TextTokenizer tokenizer;

    /** Prompts measured with {@code tokenizer}; null for approximate lengths. */
    public BenchPrompts(TextTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /**
     * Prompts for a model file: its GGUF tokenizer, or the llama2.c tokenizer beside a checkpoint;
     * approximate lengths when neither can be read (the engine's load then says what is wrong).
     */
    public static BenchPrompts forModel(Path model) {
        try {
            if (model.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gguf")) {
                try (GgufFile file = GgufFile.open(model)) {
                    return new BenchPrompts(GgufTokenizer.from(file));
                }
            }
            return new BenchPrompts(new Llama2cTextTokenizer(Tokenizer.load(ModelFiles.besideCheckpoint(model).tokenizer())));
        } catch (IOException | RuntimeException e) {
            return new BenchPrompts(null);
        }
    }

    /** Whether prompt lengths are counted with the model's tokenizer. */
    public boolean exact() {
        return tokenizer != null;
    }

    /**
     * The prompt of job {@code job}: as many whole words as fit in {@code tokens} tokens (BOS
     * included, as the engine counts), at least one word.
     */
    public String prompt(int job, int tokens) {
        List<String> words = words(job, tokens);
        if (tokenizer == null) {
            return String.join(" ", words.subList(0, Math.max(1, Math.min(words.size(), tokens - 1))));
        }
        // the token count grows with the word count, so the longest prefix that fits is found by bisection
        int low = 1, high = words.size();
        while (low < high) {
            int mid = (low + high + 1) >>> 1;
            if (count(words, mid) <= tokens) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return String.join(" ", words.subList(0, low));
    }

    /** Tokens of {@code text} as the engine counts a plain prompt (BOS included); -1 without a tokenizer. */
    public int count(String text) {
        return tokenizer == null ? -1 : tokenizer.encode(text, true, false).length;
    }

    private int count(List<String> words, int n) {
        return count(String.join(" ", words.subList(0, n)));
    }

    // a numbered title makes every job's text distinct; the sentences start at a different one per job
    private static List<String> words(int job, int tokens) {
        List<String> words = new ArrayList<>(List.of("Tale", (job + 1) + ":"));
        for (int i = 0; words.size() < tokens + 2; i++) {
            words.addAll(Arrays.asList(SENTENCES.get((job + i) % SENTENCES.size()).split(" ")));
        }
        return words;
    }
}
