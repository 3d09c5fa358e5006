package io.gridshare.chain;

/**
 * A voucher was refused before anything reached the chain: malformed signature, wrong signer,
 * signed for another chain or contract, more than the deposit, or not higher than the one stored.
 */
public final class InvalidVoucherException extends ChainException {
    private static final long serialVersionUID = 1L;

    /** Why a voucher was refused. */
    public enum Reason {
        MALFORMED_SIGNATURE,
        WRONG_SIGNER,
        WRONG_DOMAIN,
        EXCEEDS_DEPOSIT,
        NOT_HIGHER,
        CHANNEL_CLOSED,
        UNKNOWN_CHANNEL,
        WRONG_PAYEE
    }

    private final Reason reason;

    public InvalidVoucherException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
