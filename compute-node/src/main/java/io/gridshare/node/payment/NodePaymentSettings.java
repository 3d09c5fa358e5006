package io.gridshare.node.payment;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Where the node is paid and how it settles (part of {@code NodeConfig}). Payments are on when both
 * the chain's RPC URL and the PaymentChannels address are set; without them the node still counts
 * the vouchers gateways send but keeps none.
 *
 * @param rpcUrl {@code GRIDSHARE_NODE_CHAIN_RPC_URL}: JSON-RPC endpoint of the chain
 * @param paymentChannels {@code GRIDSHARE_NODE_PAYMENT_CHANNELS}: the PaymentChannels contract address
 * @param settlementDir {@code GRIDSHARE_NODE_SETTLEMENT_DIR}: where vouchers and redemptions are kept
 *     (default {@code settlement}); keep it on a persistent volume: the vouchers are the node's pay
 * @param settleInterval {@code GRIDSHARE_NODE_SETTLE_INTERVAL_SECONDS}: how often the policy is asked
 *     whether to redeem (default 600)
 * @param minRedeemable {@code GRIDSHARE_NODE_MIN_REDEEMABLE}: smallest batch worth a redeem
 *     transaction, in base units (default 10^18, one GRID)
 */
public record NodePaymentSettings(Optional<String> rpcUrl, Optional<String> paymentChannels, Path settlementDir,
                                  Duration settleInterval, BigInteger minRedeemable) {

    public static final String RPC_URL = "GRIDSHARE_NODE_CHAIN_RPC_URL";
    public static final String PAYMENT_CHANNELS = "GRIDSHARE_NODE_PAYMENT_CHANNELS";
    public static final String SETTLEMENT_DIR = "GRIDSHARE_NODE_SETTLEMENT_DIR";
    public static final String SETTLE_INTERVAL_SECONDS = "GRIDSHARE_NODE_SETTLE_INTERVAL_SECONDS";
    public static final String MIN_REDEEMABLE = "GRIDSHARE_NODE_MIN_REDEEMABLE";

    public boolean enabled() {
        return rpcUrl.isPresent() && paymentChannels.isPresent();
    }

    public static NodePaymentSettings disabled() {
        return new NodePaymentSettings(Optional.empty(), Optional.empty(), Path.of("settlement"),
                Duration.ofMinutes(10), BigInteger.TEN.pow(18));
    }
}
