package io.gridshare.chain.settlement;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SettlementPolicyTest {
    // 1 GRID = 1e18 units; say 1 wei of gas is worth 1000 GRID units; a batch must pay 3x its gas
    private final SettlementPolicy policy = new SettlementPolicy(BigInteger.valueOf(10), BigDecimal.valueOf(1000),
            BigDecimal.valueOf(3), 50, 65_000, 20_000);

    @Test
    @DisplayName("a batch is worth it once it pays the chosen multiple of its gas")
    void thresholdIsGasTimesMultiple() {
        BigInteger gasPrice = BigInteger.valueOf(1_000_000_000L);
        // gas of 2 vouchers: 85,000; cost 85,000 * 1e9 wei * 1000 units/wei * 3
        BigInteger threshold = BigInteger.valueOf(85_000L).multiply(gasPrice).multiply(BigInteger.valueOf(3000));
        assertThat(policy.worthIt(threshold, 2, gasPrice)).isTrue();
        assertThat(policy.worthIt(threshold.subtract(BigInteger.ONE), 2, gasPrice)).isFalse();
    }

    @Test
    @DisplayName("below the minimum amount nothing is worth it, even with free gas")
    void minimumAmount() {
        assertThat(policy.worthIt(BigInteger.valueOf(9), 1, BigInteger.ZERO)).isFalse();
        assertThat(policy.worthIt(BigInteger.valueOf(10), 1, BigInteger.ZERO)).isTrue();
    }
}
