package io.gridshare.gateway.grid;

/** No node could take a job; {@link #reason()} says why (map it to a gRPC status). */
public class SchedulingException extends Exception {

    /** Why a job was not placed. */
    public enum Reason {
        /** No live node has the model loaded (gRPC NOT_FOUND / UNAVAILABLE). */
        MODEL_UNAVAILABLE,
        /** Nodes have the model, but all charge more than the tenant's maximum (FAILED_PRECONDITION). */
        PRICE_TOO_LOW,
        /** Nodes with the model are all busy (RESOURCE_EXHAUSTED; retry later). */
        NO_FREE_SLOT,
        /** The tenant holds its share of scarce slots or its in-flight cap (RESOURCE_EXHAUSTED). */
        TENANT_LIMIT
    }

    private final Reason reason;

    public SchedulingException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
