package io.gridshare.chain.voucher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gridshare.chain.InvalidVoucherException;
import io.gridshare.chain.InvalidVoucherException.Reason;
import java.math.BigInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

class ChannelSignerTest {
    private static final Credentials TENANT = Credentials.create("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a");
    private static final VoucherDomain DOMAIN = new VoucherDomain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3");

    private final ChannelSigner signer = new ChannelSigner(DOMAIN, BigInteger.TEN, BigInteger.valueOf(100), TENANT, BigInteger.ZERO);

    @Test
    @DisplayName("each payment signs a voucher for the running total")
    void signsCumulativeAmounts() {
        Voucher first = signer.pay(BigInteger.valueOf(30));
        Voucher second = signer.pay(BigInteger.valueOf(45));
        assertThat(first.cumulativeAmount()).isEqualTo(30);
        assertThat(second.cumulativeAmount()).isEqualTo(75);
        assertThat(Vouchers.recoverSigner(DOMAIN, second)).isEqualToIgnoringCase(TENANT.getAddress());
        assertThat(signer.remaining()).isEqualTo(25);
    }

    @Test
    @DisplayName("a payment past the deposit is refused and changes nothing")
    void refusesPastDeposit() {
        signer.pay(BigInteger.valueOf(90));
        assertThatThrownBy(() -> signer.pay(BigInteger.valueOf(11)))
                .isInstanceOfSatisfying(InvalidVoucherException.class, e -> assertThat(e.reason()).isEqualTo(Reason.EXCEEDS_DEPOSIT))
                .hasMessageContaining("top the channel up");
        assertThat(signer.cumulative()).isEqualTo(90);
        signer.depositIncreasedTo(BigInteger.valueOf(200));
        assertThat(signer.pay(BigInteger.valueOf(11)).cumulativeAmount()).isEqualTo(101);
    }
}
