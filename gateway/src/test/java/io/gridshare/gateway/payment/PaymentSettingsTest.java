package io.gridshare.gateway.payment;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.Test;

class PaymentSettingsTest {

    private static Config config(Map<String, String> values) {
        ConfigSource source = new ConfigSource() {
            @Override
            public Map<String, String> getProperties() {
                return values;
            }

            @Override
            public java.util.Set<String> getPropertyNames() {
                return values.keySet();
            }

            @Override
            public String getValue(String name) {
                return values.get(name);
            }

            @Override
            public String getName() {
                return "test";
            }
        };
        return ConfigProviderResolver.instance().getBuilder().withSources(source).addDiscoveredConverters().build();
    }

    @Test
    void withoutAChainTheGatewayServesForFree() {
        assertThat(PaymentSettings.from(config(Map.of())).enabled()).isFalse();
    }

    @Test
    void aConfiguredChainTurnsPaymentsOnUnlessDisabled() {
        assertThat(PaymentSettings.from(config(Map.of("gridshare.chain.rpc-url", "http://127.0.0.1:8545"))).enabled())
                .isTrue();
        assertThat(PaymentSettings.from(config(Map.of("gridshare.chain.rpc-url", "http://127.0.0.1:8545",
                "gridshare.payment.enabled", "false"))).enabled()).isFalse();
    }

    @Test
    void everyKeyIsRead() {
        PaymentSettings s = PaymentSettings.from(config(Map.of(
                "gridshare.gateway.payment-timeout", "PT3S",
                "gridshare.payment.channel-check-ttl", "PT1S",
                "gridshare.payment.settlement-dir", "/var/lib/gridshare",
                "gridshare.payment.settle-interval", "PT30S",
                "gridshare.payment.min-redeemable", "7",
                "gridshare.gateway.node-channel-deposit", "5000",
                "gridshare.gateway.node-channel-top-up-below", "500",
                "gridshare.gateway.private-key", "0xabc")));

        assertThat(s.paymentTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.channelCheckTtl()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.settlementDir()).isEqualTo(Path.of("/var/lib/gridshare"));
        assertThat(s.settleInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.minRedeemable()).isEqualTo(BigInteger.valueOf(7));
        assertThat(s.nodeChannelDeposit()).isEqualTo(BigInteger.valueOf(5000));
        assertThat(s.nodeChannelTopUpBelow()).isEqualTo(BigInteger.valueOf(500));
        assertThat(s.devPrivateKey()).contains("0xabc");
        assertThat(s.keystore()).isEmpty();
    }

    @Test
    void nodeVouchersNoLinkTookAreSentAgainEveryFewSecondsUnlessConfigured() {
        assertThat(PaymentSettings.from(config(Map.of())).nodeVoucherRedelivery()).isEqualTo(Duration.ofSeconds(3));
        assertThat(PaymentSettings.from(config(Map.of("gridshare.payment.node-voucher-redelivery", "PT0.5S")))
                .nodeVoucherRedelivery()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void aPaidGatewayWithoutAKeySaysWhichKeysToSet() {
        PaymentSettings s = PaymentSettings.from(config(Map.of("gridshare.payment.enabled", "true")));

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> GatewayPayments.loadKey(s))
                .hasMessageContaining(PaymentSettings.KEYSTORE).hasMessageContaining(PaymentSettings.PRIVATE_KEY);
    }
}
