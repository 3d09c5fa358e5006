package io.gridshare.client;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.Locale;

/**
 * A tenant-side failure, with what went wrong and what to do next. For failures the gateway
 * reported, {@link #code()} is its gRPC status code and {@link #description()} its description;
 * for failures the client detected itself (a refused payment, a protocol violation) the code is
 * null.
 */
public class GridshareClientException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The gateway at this address cannot be reached; the command that starts the local network. */
    public static final String START_LOCAL_NETWORK = "./mvnw -Plocal-network -DskipTests package";

    private final Status.Code code;
    private final String description;
    private final String advice;

    public GridshareClientException(String description, String advice) {
        this(null, description, advice, null);
    }

    public GridshareClientException(String description, String advice, Throwable cause) {
        this(null, description, advice, cause);
    }

    protected GridshareClientException(Status.Code code, String description, String advice, Throwable cause) {
        super(description + (advice == null || advice.isEmpty() ? "" : " — " + advice), cause);
        this.code = code;
        this.description = description;
        this.advice = advice;
    }

    /** A failure with a gRPC status code (e.g. CANCELLED when the tenant cancelled). */
    public static GridshareClientException withCode(Status.Code code, String description, String advice, Throwable cause) {
        return new GridshareClientException(code, description, advice, cause);
    }

    /** The gRPC status code the gateway ended the call with, or null when the client failed the job itself. */
    public Status.Code code() {
        return code;
    }

    /** What went wrong (the gateway's status description, or the client's finding). */
    public String description() {
        return description;
    }

    /** What to do next. */
    public String advice() {
        return advice;
    }

    /**
     * Turns a gRPC failure into a readable exception.
     *
     * @param target the gateway address (for "cannot reach" messages)
     */
    public static GridshareClientException fromGrpc(Throwable error, String target) {
        if (error instanceof GridshareClientException known) {
            return known;
        }
        Status status = error instanceof StatusRuntimeException sre ? sre.getStatus()
                : error instanceof StatusException se ? se.getStatus() : Status.fromThrowable(error);
        String gateway = status.getDescription() == null ? "" : status.getDescription();
        String where = target == null ? "the gateway" : "gateway at " + target;
        String lower = gateway.toLowerCase(Locale.ROOT);
        return switch (status.getCode()) {
            case UNAVAILABLE -> new GridshareClientException(status.getCode(),
                    "cannot reach " + where + (gateway.isEmpty() ? "" : " (" + gateway + ")"),
                    "is it running? start the local network with `" + START_LOCAL_NETWORK
                            + "`, or point --gateway at a running gateway", error);
            case DEADLINE_EXCEEDED -> new GridshareClientException(status.getCode(),
                    "the job did not finish before the deadline" + (gateway.isEmpty() ? "" : " (" + gateway + ")"),
                    "raise the deadline (--deadline) or ask for fewer tokens", error);
            case NOT_FOUND -> new GridshareClientException(status.getCode(), or(gateway, "not found"),
                    "list the models the network serves with `gridshare models`", error);
            case INVALID_ARGUMENT -> new GridshareClientException(status.getCode(), or(gateway, "invalid request"),
                    "fix the request (see `gridshare generate --help`)", error);
            case RESOURCE_EXHAUSTED -> new GridshareClientException(status.getCode(), or(gateway, "no capacity"),
                    "all slots are busy or no node quotes your max price: retry later or raise --max-price", error);
            case FAILED_PRECONDITION -> new GridshareClientException(status.getCode(), or(gateway, "precondition failed"),
                    lower.contains("payment required")
                            ? "the gateway got no voucher in time; the client signs automatically, so check that it could"
                                    + " reach the gateway and that the channel's deposit covers the job"
                            : lower.contains("channel") || lower.contains("deposit") || lower.contains("top up")
                                    ? "open a channel to the gateway's payee with `gridshare channel open --deposit <GRID>`"
                                            + " or top it up with `gridshare channel topup`"
                                    : "see the gateway's message", error);
            case PERMISSION_DENIED -> new GridshareClientException(status.getCode(), or(gateway, "permission denied"),
                    lower.contains("voucher")
                            ? "the channel's signer must be the key the client signs with, and the ledger must not be"
                                    + " behind what was signed before (--ledger-dir)"
                            : "check the key and channel you use", error);
            case UNAUTHENTICATED -> new GridshareClientException(status.getCode(), or(gateway, "unauthenticated"),
                    "check the credentials the gateway expects", error);
            case CANCELLED -> new GridshareClientException(status.getCode(), or(gateway, "cancelled"),
                    "the job was cancelled; nothing more is owed than the tokens received", error);
            default -> new GridshareClientException(status.getCode(),
                    status.getCode() + (gateway.isEmpty() ? "" : ": " + gateway),
                    "retry; if it persists, check the gateway's log", error);
        };
    }

    private static String or(String text, String fallback) {
        return text.isEmpty() ? fallback : text;
    }
}
