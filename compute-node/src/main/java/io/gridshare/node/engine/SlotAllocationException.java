package io.gridshare.node.engine;

/** A backend could not allocate a slot's memory; the engine refuses the job that asked for it. */
public class SlotAllocationException extends Exception {

    public SlotAllocationException(String message, Throwable cause) {
        super(message, cause);
    }

    public SlotAllocationException(String message) {
        super(message);
    }
}
