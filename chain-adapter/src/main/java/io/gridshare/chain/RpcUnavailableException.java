package io.gridshare.chain;

/** The JSON-RPC endpoint could not be reached, or kept failing transiently until retries ran out. */
public final class RpcUnavailableException extends ChainException {
    private static final long serialVersionUID = 1L;
    private final String url;

    public RpcUnavailableException(String url, int attempts, String problem, Throwable cause) {
        super("Ethereum JSON-RPC endpoint " + url + " is unavailable after " + attempts + " attempt(s): "
                + problem + ". Check that the node (anvil, geth, an L2 sequencer) is running and reachable, "
                + "and that the configured RPC URL (gridshare.chain.rpc-url) is right.", cause);
        this.url = url;
    }

    /** The URL that was tried. */
    public String url() {
        return url;
    }
}
