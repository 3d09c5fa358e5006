package io.gridshare.chain.contracts;

import io.gridshare.chain.ChainConnection;
import io.gridshare.chain.ChainException;
import io.gridshare.chain.Deployment;
import io.gridshare.chain.tx.TransactionOptions;
import io.gridshare.chain.tx.TransactionSender;
import org.web3j.crypto.Credentials;

/**
 * Entry point to the deployed Gridshare contracts for other modules: read-only clients from
 * {@link #readOnly}, signing clients from {@link #as}. Example:
 *
 * <pre>{@code
 * try (ChainConnection chain = ChainConnection.connect(deployment.rpcUrl())) {
 *     GridshareContracts contracts = GridshareContracts.readOnly(chain, deployment);
 *     NodeStatus status = contracts.nodeStakes().status(nodeKey);
 * }
 * }</pre>
 */
public final class GridshareContracts {
    private final ChainConnection chain;
    private final Deployment deployment;
    private final TransactionSender sender;

    private GridshareContracts(ChainConnection chain, Deployment deployment, TransactionSender sender) {
        if (chain.chainId() != deployment.chainId()) {
            throw new ChainException("The node at " + chain.rpcUrl() + " serves chain " + chain.chainId()
                    + " but the deployment is on chain " + deployment.chainId() + ": check the RPC URL");
        }
        this.chain = chain;
        this.deployment = deployment;
        this.sender = sender;
    }

    /** Clients that can only read (views); transactions fail with an IllegalStateException. */
    public static GridshareContracts readOnly(ChainConnection chain, Deployment deployment) {
        return new GridshareContracts(chain, deployment, null);
    }

    /** Clients that sign transactions with {@code credentials}. */
    public static GridshareContracts as(ChainConnection chain, Deployment deployment, Credentials credentials,
                                        TransactionOptions options) {
        return new GridshareContracts(chain, deployment, new TransactionSender(chain, credentials, options));
    }

    /** The same contracts, signing as another account with the same options. */
    public GridshareContracts as(Credentials credentials) {
        TransactionOptions options = sender == null ? TransactionOptions.defaults() : sender.options();
        return as(chain, deployment, credentials, options);
    }

    public ChainConnection chain() {
        return chain;
    }

    public Deployment deployment() {
        return deployment;
    }

    /** The signing account's sender, or null for read-only contracts. */
    public TransactionSender sender() {
        return sender;
    }

    public GridTokenClient gridToken() {
        return token(deployment.gridToken());
    }

    /** Any ERC-20 with permit (channels may be funded with tokens other than GRID). */
    public GridTokenClient token(String address) {
        return new GridTokenClient(chain, sender, address);
    }

    public NodeRegistryClient nodeRegistry() {
        return new NodeRegistryClient(chain, sender, deployment.nodeRegistry());
    }

    /** The stake view a gateway uses to admit nodes. */
    public NodeStakeView nodeStakes() {
        return nodeRegistry();
    }

    public PaymentChannelsClient paymentChannels() {
        return new PaymentChannelsClient(chain, sender, deployment.paymentChannels());
    }
}
