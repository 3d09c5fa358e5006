package io.gridshare.chain;

/**
 * Root of every failure the chain adapter reports. Unchecked: callers that cannot recover (most of
 * them) let it propagate; callers that can catch the precise subclass.
 *
 * <ul>
 *   <li>{@link RpcUnavailableException}: the JSON-RPC endpoint could not be reached (after retries).
 *   <li>{@link RpcErrorException}: the endpoint answered with a JSON-RPC error.
 *   <li>{@link ContractRevertedException}: a call or transaction reverted; the custom error is decoded.
 *   <li>{@link TransactionTimeoutException}: a sent transaction did not reach its confirmations in time.
 *   <li>{@link KeystoreException}: a key could not be loaded.
 *   <li>{@link InvalidVoucherException}: a voucher was refused before anything reached the chain.
 * </ul>
 */
public class ChainException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ChainException(String message) {
        super(message);
    }

    public ChainException(String message, Throwable cause) {
        super(message, cause);
    }
}
