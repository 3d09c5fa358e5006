package io.gridshare.chain;

/** The node answered a JSON-RPC request with an error object that is not a contract revert. */
public final class RpcErrorException extends ChainException {
    private static final long serialVersionUID = 1L;
    private final String method;
    private final int code;
    private final String rpcMessage;

    public RpcErrorException(String method, int code, String rpcMessage) {
        super("JSON-RPC " + method + " failed with error " + code + ": " + rpcMessage);
        this.method = method;
        this.code = code;
        this.rpcMessage = rpcMessage;
    }

    public String method() {
        return method;
    }

    public int code() {
        return code;
    }

    public String rpcMessage() {
        return rpcMessage;
    }
}
