package io.gridshare.chain.voucher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gridshare.chain.InvalidVoucherException;
import io.gridshare.chain.InvalidVoucherException.Reason;
import java.math.BigInteger;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

class VouchersTest {
    private static final Credentials SIGNER = Credentials.create("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
    private static final VoucherDomain DOMAIN = new VoucherDomain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3");

    @Test
    @DisplayName("a signed voucher verifies against its signer")
    void verifies() {
        Voucher voucher = Vouchers.sign(DOMAIN, BigInteger.ONE, BigInteger.TEN, SIGNER);
        Vouchers.verify(DOMAIN, voucher, SIGNER.getAddress());
        assertThat(voucher.signature()).hasSize(65);
        assertThat(voucher.signature()[64]).isIn((byte) 27, (byte) 28);
    }

    @Test
    @DisplayName("a voucher for another amount than signed recovers someone else")
    void tamperedAmountFails() {
        Voucher voucher = Vouchers.sign(DOMAIN, BigInteger.ONE, BigInteger.TEN, SIGNER);
        Voucher tampered = new Voucher(voucher.channelId(), BigInteger.valueOf(11), voucher.signature());
        assertThatThrownBy(() -> Vouchers.verify(DOMAIN, tampered, SIGNER.getAddress()))
                .isInstanceOfSatisfying(InvalidVoucherException.class, e -> assertThat(e.reason()).isEqualTo(Reason.WRONG_SIGNER));
    }

    @Test
    @DisplayName("an all-zero signature is malformed")
    void zeroSignatureIsMalformed() {
        byte[] signature = new byte[65];
        signature[64] = 27;
        assertThatThrownBy(() -> Vouchers.recoverSigner(DOMAIN, new Voucher(BigInteger.ONE, BigInteger.TEN, signature)))
                .isInstanceOfSatisfying(InvalidVoucherException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED_SIGNATURE));
    }

    @Test
    @DisplayName("a 66-byte signature is malformed")
    void longSignatureIsMalformed() {
        Voucher voucher = Vouchers.sign(DOMAIN, BigInteger.ONE, BigInteger.TEN, SIGNER);
        Voucher longer = new Voucher(voucher.channelId(), voucher.cumulativeAmount(), Arrays.copyOf(voucher.signature(), 66));
        assertThatThrownBy(() -> Vouchers.recoverSigner(DOMAIN, longer)).hasMessageContaining("66 bytes");
    }

    @Test
    @DisplayName("zero and negative amounts cannot be signed")
    void refusesNonPositiveAmount() {
        assertThatThrownBy(() -> Vouchers.sign(DOMAIN, BigInteger.ONE, BigInteger.ZERO, SIGNER))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("a domain needs a 20-byte contract address")
    void refusesBadContract() {
        assertThatThrownBy(() -> new VoucherDomain(1, "0x1234")).isInstanceOf(IllegalArgumentException.class);
    }
}
