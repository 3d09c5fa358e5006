package io.gridshare.chain;

/**
 * Where the Gridshare contracts live: everything another module needs to talk to them.
 *
 * @param rpcUrl JSON-RPC endpoint (HTTP)
 * @param chainId the chain's id (vouchers are bound to it)
 * @param gridToken GridToken address
 * @param nodeRegistry NodeRegistry address
 * @param paymentChannels PaymentChannels address
 */
public record Deployment(String rpcUrl, long chainId, String gridToken, String nodeRegistry, String paymentChannels) {
}
