package io.gridshare.node.engine;

/** A job that cannot run on this engine; the message says why and what to do instead. */
public class JobRefusedException extends Exception {

    /** Why a job was refused, so a scheduler can decide whether another node might take it. */
    public enum Reason { NO_FREE_SLOT, CONTEXT_TOO_LONG, OUT_OF_MEMORY, INVALID_PARAMETERS, CLOSED }

    private final Reason reason;

    public JobRefusedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
