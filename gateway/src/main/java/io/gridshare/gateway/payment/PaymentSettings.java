package io.gridshare.gateway.payment;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;

/**
 * The gateway's payment settings (MicroProfile Config; each key also reads from its environment form,
 * e.g. {@code GRIDSHARE_PAYMENT_ENABLED}). The chain itself is configured by {@code gridshare.chain.*}
 * (see {@link io.gridshare.chain.ChainSettings}).
 *
 * @param enabled {@code gridshare.payment.enabled}: false serves for free (price still quoted, no vouchers)
 * @param paymentTimeout {@code gridshare.gateway.payment-timeout}: how long a job waits for a voucher
 *     once it is paused (and for the final voucher) before it ends FAILED_PRECONDITION
 * @param channelCheckTtl {@code gridshare.payment.channel-check-ttl}: how long a tenant channel's
 *     on-chain state is reused between jobs
 * @param settlementDir {@code gridshare.payment.settlement-dir}: where tenant vouchers (and the
 *     vouchers the gateway signed for nodes) are kept durably
 * @param settleInterval {@code gridshare.payment.settle-interval}: how often the settlement service
 *     redeems what its policy deems worth the gas
 * @param minRedeemable {@code gridshare.payment.min-redeemable}: smallest batch worth a redeem (base units)
 * @param nodeChannelDeposit {@code gridshare.gateway.node-channel-deposit}: deposit of each channel the
 *     gateway opens to a node
 * @param nodeChannelTopUpBelow {@code gridshare.gateway.node-channel-top-up-below}: top the node's
 *     channel up (by the deposit amount) when less than this remains unpromised
 * @param keystore {@code gridshare.gateway.keystore}: the gateway's key (payee of tenant channels,
 *     payer and signer of node channels)
 * @param keystorePasswordFile {@code gridshare.gateway.keystore-password-file}
 * @param devPrivateKey {@code gridshare.gateway.private-key}: a raw key instead of a keystore, for
 *     the local network only (anvil's well-known accounts)
 * @param nodeVoucherRedelivery {@code gridshare.payment.node-voucher-redelivery}: how often a voucher
 *     the gateway signed for a node, but could not hand to the node's link yet, is sent again
 */
public record PaymentSettings(boolean enabled, Duration paymentTimeout, Duration channelCheckTtl, Path settlementDir,
                              Duration settleInterval, BigInteger minRedeemable, BigInteger nodeChannelDeposit,
                              BigInteger nodeChannelTopUpBelow, Optional<Path> keystore,
                              Optional<Path> keystorePasswordFile, Optional<String> devPrivateKey,
                              Duration nodeVoucherRedelivery) {

    public static final String ENABLED = "gridshare.payment.enabled";
    public static final String PAYMENT_TIMEOUT = "gridshare.gateway.payment-timeout";
    public static final String CHANNEL_CHECK_TTL = "gridshare.payment.channel-check-ttl";
    public static final String SETTLEMENT_DIR = "gridshare.payment.settlement-dir";
    public static final String SETTLE_INTERVAL = "gridshare.payment.settle-interval";
    public static final String MIN_REDEEMABLE = "gridshare.payment.min-redeemable";
    public static final String NODE_CHANNEL_DEPOSIT = "gridshare.gateway.node-channel-deposit";
    public static final String NODE_CHANNEL_TOP_UP_BELOW = "gridshare.gateway.node-channel-top-up-below";
    public static final String KEYSTORE = "gridshare.gateway.keystore";
    public static final String KEYSTORE_PASSWORD_FILE = "gridshare.gateway.keystore-password-file";
    public static final String PRIVATE_KEY = "gridshare.gateway.private-key";
    public static final String NODE_VOUCHER_REDELIVERY = "gridshare.payment.node-voucher-redelivery";

    private static final BigInteger GRID = BigInteger.TEN.pow(18);

    /** Payments on, 10 s timeout, 100 GRID per node channel topped up below 10 GRID. */
    public static PaymentSettings defaults(Path settlementDir) {
        return new PaymentSettings(true, Duration.ofSeconds(10), Duration.ofSeconds(5), settlementDir,
                Duration.ofMinutes(10), GRID, GRID.multiply(BigInteger.valueOf(100)), GRID.multiply(BigInteger.TEN),
                Optional.empty(), Optional.empty(), Optional.empty(), NodePayer.DEFAULT_REDELIVERY);
    }

    public PaymentSettings withPaymentTimeout(Duration timeout) {
        return new PaymentSettings(enabled, timeout, channelCheckTtl, settlementDir, settleInterval, minRedeemable,
                nodeChannelDeposit, nodeChannelTopUpBelow, keystore, keystorePasswordFile, devPrivateKey,
                nodeVoucherRedelivery);
    }

    public PaymentSettings withNodeVoucherRedelivery(Duration every) {
        return new PaymentSettings(enabled, paymentTimeout, channelCheckTtl, settlementDir, settleInterval,
                minRedeemable, nodeChannelDeposit, nodeChannelTopUpBelow, keystore, keystorePasswordFile, devPrivateKey,
                every);
    }

    public PaymentSettings withNodeChannel(BigInteger deposit, BigInteger topUpBelow) {
        return new PaymentSettings(enabled, paymentTimeout, channelCheckTtl, settlementDir, settleInterval,
                minRedeemable, deposit, topUpBelow, keystore, keystorePasswordFile, devPrivateKey,
                nodeVoucherRedelivery);
    }

    /**
     * Reads the settings; payments are on by default only when a chain is configured
     * ({@code gridshare.chain.rpc-url} or {@code gridshare.chain.deployment-file}).
     */
    public static PaymentSettings from(Config c) {
        boolean chainConfigured = c.getOptionalValue("gridshare.chain.rpc-url", String.class).isPresent()
                || c.getOptionalValue("gridshare.chain.deployment-file", String.class).isPresent();
        PaymentSettings d = defaults(Path.of("data/settlement"));
        return new PaymentSettings(
                c.getOptionalValue(ENABLED, Boolean.class).orElse(chainConfigured),
                c.getOptionalValue(PAYMENT_TIMEOUT, Duration.class).orElse(d.paymentTimeout()),
                c.getOptionalValue(CHANNEL_CHECK_TTL, Duration.class).orElse(d.channelCheckTtl()),
                c.getOptionalValue(SETTLEMENT_DIR, String.class).map(Path::of).orElse(d.settlementDir()),
                c.getOptionalValue(SETTLE_INTERVAL, Duration.class).orElse(d.settleInterval()),
                c.getOptionalValue(MIN_REDEEMABLE, String.class).map(BigInteger::new).orElse(d.minRedeemable()),
                c.getOptionalValue(NODE_CHANNEL_DEPOSIT, String.class).map(BigInteger::new)
                        .orElse(d.nodeChannelDeposit()),
                c.getOptionalValue(NODE_CHANNEL_TOP_UP_BELOW, String.class).map(BigInteger::new)
                        .orElse(d.nodeChannelTopUpBelow()),
                c.getOptionalValue(KEYSTORE, String.class).filter(v -> !v.isBlank()).map(Path::of),
                c.getOptionalValue(KEYSTORE_PASSWORD_FILE, String.class).filter(v -> !v.isBlank()).map(Path::of),
                c.getOptionalValue(PRIVATE_KEY, String.class).filter(v -> !v.isBlank()),
                c.getOptionalValue(NODE_VOUCHER_REDELIVERY, Duration.class).orElse(d.nodeVoucherRedelivery()));
    }
}
