package io.gridshare.node.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * llama.cpp's byte-level BPE tokenizer (llm_tokenizer_bpe) for GGUF model "gpt2": the
 * pre-tokenizer named by tokenizer.ggml.pre splits the text into words, each word's UTF-8 bytes
 * are written in GPT-2's byte alphabet, and adjacent symbols are merged by merge rank, lowest
 * first (leftmost on a tie). Llama 3 style vocabularies take a whole word that is an entry as is.
 */
public final class BytePairTokenizer extends VocabularyTokenizer {

    private final PreTokenizer preTokenizer;
    private final Map<String, Integer> ranks;
    private final boolean cleanSpaces;

    BytePairTokenizer(Vocabulary vocab, PreTokenizer preTokenizer, List<String> merges, boolean addBos,
            boolean addEos, boolean addSpacePrefix, boolean cleanSpaces) {
        super(vocab, addBos, addEos, addSpacePrefix);
        this.preTokenizer = preTokenizer;
        this.cleanSpaces = cleanSpaces;
        this.ranks = new HashMap<>(merges.size() * 2);
        for (int i = 0; i < merges.size(); i++) {
            String m = merges.get(i);
            int space = m.indexOf(' ', 1);
            String first = space < 0 ? "" : m.substring(0, space);
            String second = space < 0 ? "" : m.substring(space + 1);
            ranks.putIfAbsent(key(first, second), i);
        }
    }

    /** Builds one from GGUF metadata; see {@link Tokenizers#fromSpec}. */
    public static BytePairTokenizer of(TokenizerSpec spec) {
        if (spec.merges() == null) {
            throw new IllegalArgumentException("tokenizer.ggml.merges is missing; a \"gpt2\" tokenizer needs its merges");
        }
        PreTokenizer pre = PreTokenizer.forName(spec.pre());
        Vocabulary v = new Vocabulary(spec, false);
        boolean addBos = spec.addBos() != null ? spec.addBos() : pre == PreTokenizer.LLAMA3;
        boolean addEos = spec.addEos() != null && spec.addEos();
        boolean addSpacePrefix = spec.addSpacePrefix() != null && spec.addSpacePrefix();
        return new BytePairTokenizer(v, pre, spec.merges(), addBos, addEos, addSpacePrefix,
                PreTokenizer.cleansSpaces(spec.pre()));
    }

    public PreTokenizer preTokenizer() {
        return preTokenizer;
    }

    private static String key(String a, String b) {
        return a + '\n' + b;
    }

    @Override
    void encodeText(String text, boolean afterSpecial, IntList out) {
        for (String word : preTokenizer.split(text)) {
            encodeWord(ByteUnicode.encode(word), out);
        }
    }

    private void encodeWord(String word, IntList out) {
        if (preTokenizer.ignoresMerges()) {
            int id = vocab.id(word);
            if (id >= 0) {
                out.add(id);
                return;
            }
        }
        // the alphabet is all in the BMP, so one char is one symbol
        int n = word.length();
        int[] start = new int[n], len = new int[n], prev = new int[n], next = new int[n];
        for (int i = 0; i < n; i++) {
            start[i] = i;
            len[i] = 1;
            prev[i] = i - 1;
            next[i] = i + 1 == n ? -1 : i + 1;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>();
        for (int i = 1; i < n; i++) {
            addBigram(word, start, len, i - 1, i, queue);
        }
        while (!queue.isEmpty()) {
            Bigram b = queue.poll();
            if (len[b.left] == 0 || len[b.right] == 0) {
                continue;
            }
            if (!word.startsWith(b.text, start[b.left]) || len[b.left] + len[b.right] != b.text.length()) {
                continue;
            }
            len[b.left] += len[b.right];
            len[b.right] = 0;
            next[b.left] = next[b.right];
            if (next[b.right] >= 0) {
                prev[next[b.right]] = b.left;
            }
            addBigram(word, start, len, prev[b.left], b.left, queue);
            addBigram(word, start, len, b.left, next[b.left], queue);
        }
        for (int i = 0; i != -1 && n > 0; i = next[i]) {
            if (len[i] == 0) {
                continue;
            }
            String s = word.substring(start[i], start[i] + len[i]);
            int id = vocab.id(s);
            if (id >= 0) {
                out.add(id);
                continue;
            }
            // llama.cpp looks each UTF-8 byte of the symbol up as a one-byte token and drops misses
            for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
                if ((b & 0x80) == 0) {
                    int single = vocab.id(String.valueOf((char) b));
                    if (single >= 0) {
                        out.add(single);
                    }
                }
            }
        }
    }

    private void addBigram(String word, int[] start, int[] len, int left, int right, PriorityQueue<Bigram> queue) {
        if (left == -1 || right == -1) {
            return;
        }
        String a = word.substring(start[left], start[left] + len[left]);
        String b = word.substring(start[right], start[right] + len[right]);
        Integer rank = ranks.get(key(a, b));
        if (rank != null) {
            queue.add(new Bigram(left, right, a + b, rank));
        }
    }

    @Override
    byte[] normalPiece(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        text.codePoints().forEach(cp -> {
            int b = ByteUnicode.byteOf(cp);
            if (b >= 0) {
                out.write(b);
            } else {
                byte[] utf8 = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                StringBuilder sb = new StringBuilder("[UNK_BYTE_0x");
                for (byte u : utf8) {
                    sb.append(String.format("%02x", u & 0xFF));
                }
                out.writeBytes(sb.append(text).append(']').toString().getBytes(StandardCharsets.UTF_8));
            }
        });
        return out.toByteArray();
    }

    /**
     * The text llama.cpp's llama_detokenize gives for a whole sequence, including its
     * clean_up_tokenization_spaces pass (" ." to "." and similar) for the pre-tokenizers that set
     * it. The token stream ({@link #decode}) never cleans spaces, as llama.cpp's token_to_piece.
     */
    public String detokenize(int[] tokens) {
        byte[] text = decodeBytes(tokens);
        if (cleanSpaces) {
            text = CleanSpaces.apply(text);
        }
        return new String(text, StandardCharsets.UTF_8);
    }

    /** Lowest rank first, then the leftmost. */
    private record Bigram(int left, int right, String text, int rank) implements Comparable<Bigram> {
        @Override
        public int compareTo(Bigram o) {
            return rank != o.rank ? Integer.compare(rank, o.rank) : Integer.compare(left, o.left);
        }
    }
}
