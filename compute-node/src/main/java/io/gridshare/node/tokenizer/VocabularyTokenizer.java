package io.gridshare.node.tokenizer;

import io.gridshare.node.model.Utf8Assembler;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * What llama.cpp's SentencePiece and BPE tokenizers share: special-token partitioning, BOS / EOS,
 * and token_to_piece's rules for which tokens print (control and unknown tokens print nothing,
 * user-defined tokens their text, byte tokens their byte).
 */
abstract sealed class VocabularyTokenizer implements TextTokenizer permits SentencePieceTokenizer, BytePairTokenizer {

    final Vocabulary vocab;
    final boolean addBos;
    final boolean addEos;
    /** llama.cpp's detokenize drops one leading space of the sequence's first token when set. */
    final boolean addSpacePrefix;

    VocabularyTokenizer(Vocabulary vocab, boolean addBos, boolean addEos, boolean addSpacePrefix) {
        this.vocab = vocab;
        this.addBos = addBos;
        this.addEos = addEos;
        this.addSpacePrefix = addSpacePrefix;
        if (addBos && vocab.bos < 0) {
            throw new IllegalArgumentException("tokenizer.ggml.add_bos_token is true, but tokenizer.ggml.bos_token_id is not set");
        }
        if (addEos && vocab.eos < 0) {
            throw new IllegalArgumentException("tokenizer.ggml.add_eos_token is true, but tokenizer.ggml.eos_token_id is not set");
        }
    }

    /** Appends the tokens of one run of raw text; {@code afterSpecial}: it starts the text or follows a special token. */
    abstract void encodeText(String text, boolean afterSpecial, IntList out);

    /** The bytes of a normal token's text. */
    abstract byte[] normalPiece(String text);

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        IntList out = new IntList();
        if (addSpecial && addBos) {
            out.add(vocab.bos);
        }
        List<Vocabulary.Fragment> fragments = vocab.partition(text, parseSpecial);
        boolean afterSpecial = true;
        for (Vocabulary.Fragment f : fragments) {
            if (f.token() >= 0) {
                out.add(f.token());
                afterSpecial = true;
            } else {
                encodeText(f.text(), afterSpecial, out);
                afterSpecial = false;
            }
        }
        if (addSpecial && addEos) {
            out.add(vocab.eos);
        }
        return out.toArray();
    }

    @Override
    public byte[] decode(int previous, int token) {
        byte[] piece = piece(token, true);
        // the dummy prefix added when encoding is not part of the text: drop it from the first piece
        // of a sequence, also right after BOS (as run.c and sentencepiece's decoder do)
        if ((previous < 0 || (previous == vocab.bos && vocab.bos >= 0)) && addSpacePrefix && piece.length > 0
                && piece[0] == ' ') {
            return Arrays.copyOfRange(piece, 1, piece.length);
        }
        return piece;
    }

    /** llama.cpp's token_to_piece; {@code special = false} prints control and unknown tokens as nothing. */
    byte[] piece(int token, boolean hideSpecial) {
        vocab.checkId(token);
        if (hideSpecial && vocab.has(token, Vocabulary.CONTROL | Vocabulary.UNKNOWN)) {
            return new byte[0];
        }
        return computePiece(token);
    }

    private byte[] computePiece(int token) {
        String text = vocab.texts[token];
        if (vocab.has(token, Vocabulary.CONTROL | Vocabulary.UNKNOWN | Vocabulary.USER_DEFINED)) {
            return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        if (vocab.has(token, Vocabulary.NORMAL)) {
            return normalPiece(text);
        }
        if (vocab.has(token, Vocabulary.BYTE)) {
            return new byte[] {(byte) hexByte(text)};
        }
        return new byte[0];
    }

    /** llama.cpp reads characters 3 and 4 of "<0xXX>" with strtol, so a malformed entry gives 0 or a prefix value. */
    static int hexByte(String text) {
        if (text.length() < 4) {
            return 0;
        }
        String hex = text.substring(3, Math.min(5, text.length()));
        int v = 0;
        for (int i = 0; i < hex.length(); i++) {
            int d = Character.digit(hex.charAt(i), 16);
            if (d < 0) {
                break;
            }
            v = v * 16 + d;
        }
        return v & 0xFF;
    }

    @Override
    public String decodeAll(int[] tokens) {
        Utf8Assembler out = new Utf8Assembler();
        StringBuilder sb = new StringBuilder();
        int previous = -1;
        for (int t : tokens) {
            sb.append(out.append(decode(previous, t)));
            previous = t;
        }
        return sb.append(out.finish()).toString();
    }

    /** The raw bytes of a whole sequence, before any UTF-8 decoding. */
    public byte[] decodeBytes(int[] tokens) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int previous = -1;
        for (int t : tokens) {
            out.writeBytes(decode(previous, t));
            previous = t;
        }
        return out.toByteArray();
    }

    @Override
    public int vocabSize() {
        return vocab.size();
    }

    @Override
    public int bos() {
        return vocab.bos;
    }

    @Override
    public int eos() {
        return vocab.eos;
    }

    @Override
    public Set<Integer> endOfGeneration() {
        return vocab.endOfGeneration;
    }

    @Override
    public boolean isControl(int token) {
        vocab.checkId(token);
        return vocab.has(token, Vocabulary.CONTROL);
    }

    @Override
    public String piece(int token) {
        vocab.checkId(token);
        return vocab.texts[token];
    }

    /** Whether encode(addSpecial = true) starts with BOS. */
    public boolean addsBos() {
        return addBos;
    }

    public boolean addsEos() {
        return addEos;
    }

    /** A growable int array. */
    static final class IntList {
        private int[] a = new int[16];
        private int n;

        void add(int v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        int size() {
            return n;
        }

        int[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}
