package io.gridshare.node.tokenizer;

/** The GGUF names a tokenizer model or pre-tokenizer this node does not implement. */
public final class UnsupportedTokenizerException extends IllegalArgumentException {

    public UnsupportedTokenizerException(String message) {
        super(message);
    }
}
