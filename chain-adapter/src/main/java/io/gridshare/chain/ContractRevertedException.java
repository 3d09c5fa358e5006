package io.gridshare.chain;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A contract call or transaction reverted. When the revert data matches a custom error of the
 * Gridshare contracts (or {@code Error(string)} / {@code Panic(uint256)}), {@link #errorName()} and
 * {@link #arguments()} hold it decoded, e.g. {@code PaymentChannelsNothingToRedeem(channelId=1, ...)}.
 */
public final class ContractRevertedException extends ChainException {
    private static final long serialVersionUID = 1L;

    /** One decoded argument of a custom error. */
    public record Argument(String name, String type, Object value) {
        @Override
        public String toString() {
            return (name == null || name.isEmpty() ? type : name) + "=" + value;
        }
    }

    private final String action;
    private final String errorName;
    private final transient List<Argument> arguments;
    private final String revertData;
    private final String transactionHash;

    public ContractRevertedException(String action, String errorName, List<Argument> arguments,
                                     String revertData, String transactionHash) {
        super(action + " reverted with " + describe(errorName, arguments, revertData)
                + (transactionHash == null ? " (no transaction was sent)" : " in transaction " + transactionHash));
        this.action = action;
        this.errorName = errorName;
        this.arguments = List.copyOf(arguments);
        this.revertData = revertData;
        this.transactionHash = transactionHash;
    }

    private static String describe(String errorName, List<Argument> arguments, String revertData) {
        if (errorName == null) {
            return revertData == null || revertData.equals("0x")
                    ? "no reason" : "unknown error data " + revertData;
        }
        return errorName + arguments.stream().map(Argument::toString).collect(Collectors.joining(", ", "(", ")"));
    }

    /** What was attempted, e.g. {@code PaymentChannels.redeem}. */
    public String action() {
        return action;
    }

    /** The custom error's name, or null when the revert data matched none. */
    public String errorName() {
        return errorName;
    }

    public List<Argument> arguments() {
        return arguments;
    }

    /** The value of the named argument, if present. */
    public Optional<Object> argument(String name) {
        return arguments.stream().filter(a -> name.equals(a.name())).map(Argument::value).findFirst();
    }

    /** The raw revert data (hex), or null when the node gave none. */
    public String revertData() {
        return revertData;
    }

    /** The hash of the mined failed transaction, or null when the revert was caught before sending. */
    public String transactionHash() {
        return transactionHash;
    }
}
