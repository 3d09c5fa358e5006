package io.gridshare.node.tokenizer;

import io.gridshare.node.model.Tokenizer;
import java.util.Set;

/**
 * A llama2.c {@code tokenizer.bin} ({@link Tokenizer}) seen as a {@link TextTokenizer}: BOS 1,
 * EOS 2, generation ends at EOS. There are no special-token texts to parse, so
 * {@code parseSpecial} has no effect; {@code addSpecial} adds BOS only, as llama2.c's generate.
 */
public final class Llama2cTextTokenizer implements TextTokenizer {

    private final Tokenizer tokenizer;

    public Llama2cTextTokenizer(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    @Override
    public int vocabSize() {
        return tokenizer.vocabSize();
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        return tokenizer.encode(text, addSpecial, false);
    }

    @Override
    public byte[] decode(int previous, int token) {
        return tokenizer.decode(previous, token);
    }

    @Override
    public String decodeAll(int[] tokens) {
        return tokenizer.decodeAll(-1, tokens);
    }

    @Override
    public int bos() {
        return Tokenizer.BOS;
    }

    @Override
    public int eos() {
        return Tokenizer.EOS;
    }

    @Override
    public Set<Integer> endOfGeneration() {
        return Set.of(Tokenizer.EOS);
    }

    @Override
    public boolean isControl(int token) {
        return token == Tokenizer.BOS || token == Tokenizer.EOS;
    }

    @Override
    public String piece(int token) {
        return new String(tokenizer.token(token), java.nio.charset.StandardCharsets.UTF_8);
    }
}
