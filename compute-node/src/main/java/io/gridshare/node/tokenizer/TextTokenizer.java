package io.gridshare.node.tokenizer;

import java.util.Set;

/**
 * Turns text into token ids and token ids back into the bytes of the text, the way llama.cpp does
 * for the same vocabulary. Implementations are immutable and thread-safe.
 */
public interface TextTokenizer {

    int vocabSize();

    /**
     * Tokenizes {@code text}.
     *
     * @param addSpecial adds BOS / EOS as the vocabulary's add_bos / add_eos flags say
     * @param parseSpecial text equal to a control token's text becomes that token (longest first);
     *     user-defined tokens are always split out first, as in llama.cpp
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /**
     * The raw bytes {@code token} contributes to the output stream; control tokens contribute
     * nothing. {@code previous} is the token before it, or -1 when {@code token} starts the
     * sequence.
     */
    byte[] decode(int previous, int token);

    /** The text of a whole sequence: the concatenated {@link #decode} bytes, as UTF-8. */
    String decodeAll(int[] tokens);

    /** The beginning-of-sequence token, or -1. */
    int bos();

    /** The end-of-sequence token, or -1. */
    int eos();

    /** Tokens that end generation: EOS plus end-of-turn tokens. */
    Set<Integer> endOfGeneration();

    boolean isControl(int token);

    /** The vocabulary entry as stored, for debugging. */
    String piece(int token);
}
