package io.gridshare.chain;

/** A key could not be loaded: missing keystore or passphrase, wrong passphrase, malformed file. */
public final class KeystoreException extends ChainException {
    private static final long serialVersionUID = 1L;

    public KeystoreException(String message) {
        super(message);
    }

    public KeystoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
