package io.gridshare.gateway.link;

/** The stake of a node key could not be read (e.g. the chain RPC is down); the node should retry later. */
public class StakeCheckUnavailableException extends RuntimeException {
    public StakeCheckUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
