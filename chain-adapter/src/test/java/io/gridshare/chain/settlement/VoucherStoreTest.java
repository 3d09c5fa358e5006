package io.gridshare.chain.settlement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gridshare.chain.ChainException;
import io.gridshare.chain.voucher.Voucher;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VoucherStoreTest {
    @TempDir
    Path dir;

    private static Voucher voucher(long channel, long amount) {
        byte[] signature = new byte[65];
        signature[0] = (byte) amount;
        signature[64] = 27;
        return new Voucher(BigInteger.valueOf(channel), BigInteger.valueOf(amount), signature);
    }

    @Test
    @DisplayName("the latest voucher per channel survives a reopen without close")
    void survivesCrash() {
        VoucherStore store = new VoucherStore(dir);
        store.put(voucher(1, 10));
        store.put(voucher(1, 20));
        store.put(voucher(2, 5));
        // no close: as if the process died

        VoucherStore reopened = new VoucherStore(dir);
        assertThat(reopened.latest(BigInteger.ONE)).contains(voucher(1, 20));
        assertThat(reopened.latest(BigInteger.TWO)).contains(voucher(2, 5));
        assertThat(reopened.all()).hasSize(2);
        reopened.close();
        store.close();
    }

    @Test
    @DisplayName("a torn last line is ignored and the rest is kept")
    void ignoresTornLastLine() throws Exception {
        try (VoucherStore store = new VoucherStore(dir)) {
            store.put(voucher(1, 10));
        }
        Files.writeString(dir.resolve("vouchers.log"), "1 14 abcd", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        try (VoucherStore reopened = new VoucherStore(dir)) {
            assertThat(reopened.latest(BigInteger.ONE)).contains(voucher(1, 10));
        }
    }

    @Test
    @DisplayName("corruption before the last line is refused, not silently dropped")
    void refusesCorruption() throws Exception {
        try (VoucherStore store = new VoucherStore(dir)) {
            store.put(voucher(1, 10));
        }
        Path file = dir.resolve("vouchers.log");
        Files.writeString(file, "garbage line\n" + Files.readString(file));
        assertThatThrownBy(() -> new VoucherStore(dir)).isInstanceOf(ChainException.class).hasMessageContaining("corrupt at line 1");
    }

    @Test
    @DisplayName("reopening compacts the file to one line per channel")
    void compacts() throws Exception {
        try (VoucherStore store = new VoucherStore(dir)) {
            for (int i = 1; i <= 50; i++) {
                store.put(voucher(7, i));
            }
        }
        new VoucherStore(dir).close();
        assertThat(Files.readAllLines(dir.resolve("vouchers.log"))).hasSize(1);
    }
}
