package io.gridshare.chain;

/** A sent transaction was not mined, or did not reach its confirmations, in the configured time. */
public final class TransactionTimeoutException extends ChainException {
    private static final long serialVersionUID = 1L;
    private final String transactionHash;

    public TransactionTimeoutException(String transactionHash, String detail) {
        super("Transaction " + transactionHash + " " + detail
                + ". It may still be mined later: check it on the node before sending it again.");
        this.transactionHash = transactionHash;
    }

    public String transactionHash() {
        return transactionHash;
    }
}
