package io.gridshare.node.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * llama.cpp's SentencePiece tokenizer (llm_tokenizer_spm) for GGUF model "llama": spaces become
 * U+2581, a dummy-prefix space goes before every run of text that starts the input or follows a
 * special token (when add_space_prefix), the text is split into characters, and adjacent symbols
 * are merged while their concatenation is a vocabulary entry, highest score first (leftmost on a
 * tie). Symbols left that are not entries become byte tokens {@code <0xXX>}.
 */
public final class SentencePieceTokenizer extends VocabularyTokenizer {

    static final char ESCAPED_SPACE = '\u2581';

    SentencePieceTokenizer(Vocabulary vocab, boolean addBos, boolean addEos, boolean addSpacePrefix) {
        super(vocab, addBos, addEos, addSpacePrefix);
    }

    /** Builds one from GGUF metadata; see {@link Tokenizers#fromSpec}. */
    public static SentencePieceTokenizer of(TokenizerSpec spec) {
        Vocabulary v = new Vocabulary(spec, true);
        return new SentencePieceTokenizer(v,
                spec.addBos() == null ? true : spec.addBos(),
                spec.addEos() == null ? false : spec.addEos(),
                spec.addSpacePrefix() == null ? true : spec.addSpacePrefix());
    }

    @Override
    void encodeText(String raw, boolean afterSpecial, IntList out) {
        String text = (addSpacePrefix && afterSpecial ? " " : "") + raw;
        new Session(text.replace(' ', ESCAPED_SPACE)).tokenize(out);
    }

    @Override
    byte[] normalPiece(String text) {
        return text.replace(ESCAPED_SPACE, ' ').getBytes(StandardCharsets.UTF_8);
    }

    private int byteToken(int b) {
        int id = vocab.id(String.format("<0x%02X>", b & 0xFF));
        if (id >= 0) {
            return id;
        }
        id = vocab.id(new String(new byte[] {(byte) b}, StandardCharsets.ISO_8859_1));
        if (id < 0 || b < 0 || (b & 0x80) != 0) {
            throw new IllegalStateException("the vocabulary has no byte token <0x" + String.format("%02X", b & 0xFF)
                    + "> for byte fallback; the GGUF's tokenizer.ggml.tokens lacks SentencePiece byte tokens");
        }
        return id;
    }

    /** One tokenization: symbols are UTF-16 ranges of whole code points, linked like llama.cpp's llm_symbol. */
    private final class Session {
        private final String text;
        private final List<int[]> symbols = new ArrayList<>(); // {start, length, prev, next}
        private final PriorityQueue<Bigram> queue = new PriorityQueue<>();
        private final Map<String, int[]> revMerge = new HashMap<>();

        Session(String text) {
            this.text = text;
        }

        void tokenize(IntList out) {
            int offs = 0;
            int index = 0;
            while (offs < text.length()) {
                int len = Character.charCount(text.codePointAt(offs));
                int next = offs + len == text.length() ? -1 : index + 1;
                symbols.add(new int[] {offs, len, index - 1, next});
                offs += len;
                index++;
            }
            for (int i = 1; i < symbols.size(); i++) {
                tryAddBigram(i - 1, i);
            }
            while (!queue.isEmpty()) {
                Bigram b = queue.poll();
                int[] left = symbols.get(b.left);
                int[] right = symbols.get(b.right);
                if (left[1] == 0 || right[1] == 0 || left[1] + right[1] != b.size) {
                    continue;
                }
                left[1] += right[1];
                right[1] = 0;
                left[3] = right[3];
                if (right[3] >= 0) {
                    symbols.get(right[3])[2] = b.left;
                }
                tryAddBigram(left[2], b.left);
                tryAddBigram(b.left, left[3]);
            }
            if (symbols.isEmpty()) {
                return;
            }
            for (int i = 0; i != -1; i = symbols.get(i)[3]) {
                resegment(symbols.get(i), out);
            }
        }

        private String textOf(int[] s) {
            return text.substring(s[0], s[0] + s[1]);
        }

        private void resegment(int[] symbol, IntList out) {
            String s = textOf(symbol);
            int id = vocab.id(s);
            if (id >= 0) {
                out.add(id);
                return;
            }
            int[] pair = revMerge.get(s);
            if (pair == null) {
                for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
                    out.add(byteToken(b & 0xFF));
                }
                return;
            }
            resegment(symbols.get(pair[0]), out);
            resegment(symbols.get(pair[1]), out);
        }

        private void tryAddBigram(int left, int right) {
            if (left == -1 || right == -1) {
                return;
            }
            int[] l = symbols.get(left);
            String s = text.substring(l[0], l[0] + l[1] + symbols.get(right)[1]);
            int id = vocab.id(s);
            if (id < 0) {
                return;
            }
            queue.add(new Bigram(left, right, vocab.scores[id], s.length()));
            revMerge.put(s, new int[] {left, right});
        }
    }

    /** Highest score first, then the leftmost. */
    private record Bigram(int left, int right, float score, int size) implements Comparable<Bigram> {
        @Override
        public int compareTo(Bigram o) {
            // plain comparisons, as C++'s operator<, so that -0.0 equals 0.0
            if (score != o.score) {
                return score > o.score ? -1 : 1;
            }
            return Integer.compare(left, o.left);
        }
    }
}
