package io.gridshare.client;

/**
 * The gateway broke the Inference protocol: a gap or a repeat in token indices, a receipt that does
 * not match what was received and paid, a price above the tenant's maximum. The job was cancelled.
 */
public final class ProtocolViolationException extends GridshareClientException {
    private static final long serialVersionUID = 1L;

    public ProtocolViolationException(String description) {
        super(description, "do not trust this gateway's accounting; report it to its operator");
    }
}
