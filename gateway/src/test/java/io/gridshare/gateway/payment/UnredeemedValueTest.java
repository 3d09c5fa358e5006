package io.gridshare.gateway.payment;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridshare.chain.settlement.Redemption;
import io.gridshare.chain.voucher.Voucher;
import io.gridshare.gateway.observe.PaymentObserver;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class UnredeemedValueTest {

    private final List<BigInteger> reported = new ArrayList<>();
    private final PaymentObserver recorder = new PaymentObserver() {
        @Override
        public void unredeemed(BigInteger baseUnits) {
            reported.add(baseUnits);
        }
    };

    private static Voucher voucher(long channel, long amount) {
        return new Voucher(BigInteger.valueOf(channel), BigInteger.valueOf(amount), new byte[65]);
    }

    private static Redemption redemption(long channel, long cumulative) {
        return new Redemption(BigInteger.valueOf(channel), BigInteger.valueOf(cumulative), BigInteger.ZERO,
                BigInteger.ZERO, "0x01", BigInteger.ONE);
    }

    @Test
    @DisplayName("after a restart it holds the stored vouchers less what was already redeemed of each channel")
    void startsFromStoredVouchersLessRedemptions() {
        UnredeemedValue held = new UnredeemedValue(List.of(voucher(1, 5_000), voucher(2, 700)),
                List.of(redemption(1, 2_000), redemption(1, 3_000)), recorder);

        assertThat(held.total()).isEqualTo(BigInteger.valueOf(2_000 + 700));
        assertThat(reported).containsExactly(BigInteger.valueOf(2_700));
    }

    @Test
    @DisplayName("an accepted voucher raises it by its increment and a redemption lowers it to what is left")
    void acceptedRaisesRedeemedLowers() {
        UnredeemedValue held = new UnredeemedValue(List.of(), List.of(), recorder);

        held.voucherAccepted(BigInteger.ONE, BigInteger.valueOf(1_000), BigInteger.valueOf(1_000));
        held.voucherAccepted(BigInteger.ONE, BigInteger.valueOf(2_500), BigInteger.valueOf(1_500));
        held.voucherAccepted(BigInteger.TWO, BigInteger.valueOf(400), BigInteger.valueOf(400));
        held.redeemed(List.of(redemption(1, 2_000)));

        assertThat(held.total()).isEqualTo(BigInteger.valueOf(500 + 400));
        assertThat(reported).containsExactly(BigInteger.ZERO, BigInteger.valueOf(1_000), BigInteger.valueOf(2_500),
                BigInteger.valueOf(2_900), BigInteger.valueOf(900));
    }

    @Test
    @DisplayName("an older redemption reported late never raises it again")
    void aLateOlderRedemptionChangesNothing() {
        UnredeemedValue held = new UnredeemedValue(List.of(voucher(1, 3_000)), List.of(redemption(1, 3_000)),
                recorder);

        held.redeemed(List.of(redemption(1, 1_000)));

        assertThat(held.total()).isZero();
    }
}
