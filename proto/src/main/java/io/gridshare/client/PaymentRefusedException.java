package io.gridshare.client;

/** The client refused to sign a voucher (it would exceed the channel's deposit); the job was cancelled. */
public final class PaymentRefusedException extends GridshareClientException {
    private static final long serialVersionUID = 1L;

    public PaymentRefusedException(String description, String advice) {
        super(description, advice);
    }
}
