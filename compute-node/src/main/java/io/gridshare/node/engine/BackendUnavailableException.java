package io.gridshare.node.engine;

/**
 * A backend cannot run on this host: no driver library, no device, a device error at start, or
 * the backend is not built in. The message says which.
 */
public class BackendUnavailableException extends Exception {

    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public BackendUnavailableException(String message) {
        super(message);
    }
}
