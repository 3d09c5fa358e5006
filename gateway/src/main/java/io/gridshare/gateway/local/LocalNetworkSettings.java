package io.gridshare.gateway.local;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What the local network starts and with which money.
 *
 * @param repositoryRoot the repository (where {@code .gridshare/} is written)
 * @param modelsDir the directory holding {@code stories260K/}
 * @param nodePricePerToken each node's price per token (GRID base units)
 * @param gatewayFeePerToken the gateway's fee per token, on top of the node's price
 * @param creditWindowTokens tokens a tenant may receive ahead of its latest voucher
 * @param heartbeat how often nodes heartbeat
 * @param linkExpiry a node silent this long is taken out of the grid and its jobs fail over
 * @param paymentTimeout how long a gateway waits for a voucher before it ends a job
 * @param nodeSlots jobs each node runs at once
 * @param backend the node engine's backend: auto (CUDA when a GPU is present), cpu or cuda
 * @param nodeStake GRID each node stakes in NodeRegistry (base units)
 * @param tenantDeposit GRID deposited into each tenant channel (base units)
 */
public record LocalNetworkSettings(Path repositoryRoot, Path modelsDir, BigInteger nodePricePerToken,
                                   BigInteger gatewayFeePerToken, int creditWindowTokens, Duration heartbeat,
                                   Duration linkExpiry, Duration paymentTimeout, int nodeSlots, String backend,
                                   BigInteger nodeStake, BigInteger tenantDeposit) {
    private static final BigInteger GRID = BigInteger.TEN.pow(18);

    /**
     * The launcher's defaults: a node charges 10^12 base units (10^-6 GRID) per token, the gateway
     * adds 2·10^11, a 64-token credit window, 1 s heartbeats, 1,000 GRID stake, 10 GRID deposits.
     */
    public static LocalNetworkSettings defaults(Path repositoryRoot, Path modelsDir) {
        return new LocalNetworkSettings(repositoryRoot, modelsDir, BigInteger.TEN.pow(12),
                BigInteger.valueOf(2).multiply(BigInteger.TEN.pow(11)), 64, Duration.ofSeconds(1),
                Duration.ofSeconds(4), Duration.ofSeconds(10), 4, System.getenv().getOrDefault("GRIDSHARE_NODE_BACKEND", "auto"),
                GRID.multiply(BigInteger.valueOf(1000)), GRID.multiply(BigInteger.TEN));
    }

    /** What a tenant pays per token. */
    public BigInteger tenantPricePerToken() {
        return nodePricePerToken.add(gatewayFeePerToken);
    }

    /** Where logs, keystores, settlement stores and the network file go. */
    public Path stateDir() {
        return repositoryRoot.resolve(".gridshare");
    }

    public LocalNetworkSettings withCreditWindow(int tokens, Duration timeout) {
        return new LocalNetworkSettings(repositoryRoot, modelsDir, nodePricePerToken, gatewayFeePerToken, tokens,
                heartbeat, linkExpiry, timeout, nodeSlots, backend, nodeStake, tenantDeposit);
    }

    public LocalNetworkSettings withRepositoryRoot(Path root) {
        return new LocalNetworkSettings(root, modelsDir, nodePricePerToken, gatewayFeePerToken, creditWindowTokens,
                heartbeat, linkExpiry, paymentTimeout, nodeSlots, backend, nodeStake, tenantDeposit);
    }
}
