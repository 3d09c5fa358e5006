package io.gridshare.chain.settlement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gridshare.chain.InvalidVoucherException;
import io.gridshare.chain.InvalidVoucherException.Reason;
import io.gridshare.chain.contracts.GridshareContracts;
import io.gridshare.chain.contracts.PaymentChannelsClient;
import io.gridshare.chain.local.LocalChain;
import io.gridshare.chain.tx.TransactionOptions;
import io.gridshare.chain.voucher.Voucher;
import io.gridshare.chain.voucher.Vouchers;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameterName;

class SettlementServiceTest {
    private static final BigInteger GRID = BigInteger.TEN.pow(18);
    private static LocalChain chain;
    private static GridshareContracts contracts;

    @BeforeAll
    static void startChain() {
        chain = LocalChain.start();
        contracts = GridshareContracts.as(chain.connection(), chain.deployment(), chain.account(0), TransactionOptions.defaults());
    }

    @AfterAll
    static void stopChain() {
        chain.close();
    }

    private static BigInteger open(Credentials tenant, Credentials payee, BigInteger deposit) {
        GridshareContracts asTenant = contracts.as(tenant);
        asTenant.gridToken().approve(chain.deployment().paymentChannels(), deposit);
        return asTenant.paymentChannels().open(payee.getAddress(), chain.deployment().gridToken(), deposit, tenant.getAddress());
    }

    private static BigInteger grid(String holder) {
        return contracts.gridToken().balanceOf(holder);
    }

    private static BigInteger fee(BigInteger paid) {
        return paid.multiply(BigInteger.valueOf(chain.options().feeBps())).divide(BigInteger.valueOf(10_000));
    }

    private static BigInteger nonce(Credentials account) {
        return chain.connection().send("nonce", chain.connection().web3j()
                .ethGetTransactionCount(account.getAddress(), DefaultBlockParameterName.PENDING)).getTransactionCount();
    }

    @Test
    @DisplayName("a restart mid-way loses no voucher and redeems nothing twice")
    void restartMidway(@TempDir Path dir) {
        Credentials tenantA = chain.account(1);
        Credentials tenantB = chain.account(2);
        Credentials gateway = chain.account(3);
        BigInteger deposit = GRID.multiply(BigInteger.TEN);
        BigInteger channelA = open(tenantA, gateway, deposit);
        BigInteger channelB = open(tenantB, gateway, deposit);
        PaymentChannelsClient asGateway = contracts.as(gateway).paymentChannels();
        BigInteger gatewayBefore = grid(gateway.getAddress());
        List<Redemption> reported = new ArrayList<>();

        SettlementService first = new SettlementService(asGateway, gateway.getAddress(), dir, SettlementPolicy.always());
        first.addListener(reported::addAll);
        first.accept(Vouchers.sign(asGateway.domain(), channelA, GRID, tenantA));
        first.accept(Vouchers.sign(asGateway.domain(), channelA, GRID.multiply(BigInteger.TWO), tenantA));
        first.accept(Vouchers.sign(asGateway.domain(), channelB, BigInteger.valueOf(333_333), tenantB));
        List<Redemption> firstRound = first.settle();
        assertThat(firstRound).extracting(Redemption::cumulativeAmount)
                .containsExactlyInAnyOrder(GRID.multiply(BigInteger.TWO), BigInteger.valueOf(333_333));
        // more vouchers arrive, then the process dies before settling them (no close)
        first.accept(Vouchers.sign(asGateway.domain(), channelB, GRID.multiply(BigInteger.valueOf(3)), tenantB));

        SettlementService second = new SettlementService(asGateway, gateway.getAddress(), dir, SettlementPolicy.always());
        second.addListener(reported::addAll);
        assertThat(second.latest(channelA)).map(Voucher::cumulativeAmount).contains(GRID.multiply(BigInteger.TWO));
        BigInteger nonceBefore = nonce(gateway);
        List<Redemption> secondRound = second.settle();

        assertThat(secondRound).extracting(Redemption::channelId).containsExactly(channelB);
        assertThat(secondRound.get(0).paidToPayee().add(secondRound.get(0).fee()))
                .isEqualTo(GRID.multiply(BigInteger.valueOf(3)).subtract(BigInteger.valueOf(333_333)));
        assertThat(nonce(gateway)).as("one transaction for the one unredeemed voucher").isEqualTo(nonceBefore.add(BigInteger.ONE));
        assertThat(second.settle()).as("a further settle finds nothing").isEmpty();

        BigInteger totalA = GRID.multiply(BigInteger.TWO);
        BigInteger totalB = GRID.multiply(BigInteger.valueOf(3));
        BigInteger fees = fee(totalA).add(fee(BigInteger.valueOf(333_333)))
                .add(fee(totalB.subtract(BigInteger.valueOf(333_333))));
        assertThat(grid(gateway.getAddress())).isEqualTo(gatewayBefore.add(totalA).add(totalB).subtract(fees));
        assertThat(contracts.paymentChannels().channel(channelA).redeemed()).isEqualTo(totalA);
        assertThat(contracts.paymentChannels().channel(channelB).redeemed()).isEqualTo(totalB);
        assertThat(reported).hasSize(3);
        assertThat(second.redemptions()).containsExactlyInAnyOrderElementsOf(reported);
        second.close();
    }

    @Test
    @DisplayName("a voucher not higher than the stored one is refused")
    void refusesLowerVoucher(@TempDir Path dir) {
        Credentials tenant = chain.account(4);
        Credentials gateway = chain.account(5);
        BigInteger channel = open(tenant, gateway, GRID);
        PaymentChannelsClient asGateway = contracts.as(gateway).paymentChannels();
        try (SettlementService service = new SettlementService(asGateway, gateway.getAddress(), dir, SettlementPolicy.always())) {
            service.accept(Vouchers.sign(asGateway.domain(), channel, BigInteger.valueOf(500), tenant));
            assertThatThrownBy(() -> service.accept(Vouchers.sign(asGateway.domain(), channel, BigInteger.valueOf(500), tenant)))
                    .isInstanceOfSatisfying(InvalidVoucherException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_HIGHER));
            assertThat(service.latest(channel)).map(Voucher::cumulativeAmount).contains(BigInteger.valueOf(500));
        }
    }

    @Test
    @DisplayName("a voucher that fails verification or exceeds the deposit is not stored")
    void refusesInvalidVoucher(@TempDir Path dir) {
        Credentials tenant = chain.account(6);
        Credentials gateway = chain.account(7);
        BigInteger channel = open(tenant, gateway, GRID);
        PaymentChannelsClient asGateway = contracts.as(gateway).paymentChannels();
        try (SettlementService service = new SettlementService(asGateway, gateway.getAddress(), dir, SettlementPolicy.always())) {
            assertThatThrownBy(() -> service.accept(Vouchers.sign(asGateway.domain(), channel, GRID, gateway)))
                    .isInstanceOfSatisfying(InvalidVoucherException.class, e -> assertThat(e.reason()).isEqualTo(Reason.WRONG_SIGNER));
            assertThatThrownBy(() -> service.accept(Vouchers.sign(asGateway.domain(), channel, GRID.add(BigInteger.ONE), tenant)))
                    .isInstanceOfSatisfying(InvalidVoucherException.class, e -> assertThat(e.reason()).isEqualTo(Reason.EXCEEDS_DEPOSIT));
            assertThat(service.latest(channel)).isEmpty();
        }
    }

    @Test
    @DisplayName("a voucher for a channel that pays someone else is refused")
    void refusesOtherPayee(@TempDir Path dir) {
        Credentials tenant = chain.account(6);
        BigInteger channel = open(tenant, chain.account(7), GRID);
        Credentials otherGateway = chain.account(8);
        PaymentChannelsClient asOther = contracts.as(otherGateway).paymentChannels();
        try (SettlementService service = new SettlementService(asOther, otherGateway.getAddress(), dir, SettlementPolicy.always())) {
            assertThatThrownBy(() -> service.accept(Vouchers.sign(asOther.domain(), channel, BigInteger.TEN, tenant)))
                    .isInstanceOfSatisfying(InvalidVoucherException.class, e -> assertThat(e.reason()).isEqualTo(Reason.WRONG_PAYEE));
        }
    }

    @Test
    @DisplayName("small amounts wait until they are worth the gas, closing channels are redeemed at once")
    void waitsUntilWorthTheGas(@TempDir Path dir) {
        Credentials tenant = chain.account(1);
        Credentials gateway = chain.account(8);
        BigInteger open = open(tenant, gateway, GRID);
        BigInteger closing = open(tenant, gateway, GRID);
        PaymentChannelsClient asGateway = contracts.as(gateway).paymentChannels();
        // one wei of gas is worth one token base unit: a redeemMany costs ~1e5 gas x gas price
        SettlementPolicy policy = new SettlementPolicy(BigInteger.valueOf(1_000), BigDecimal.ONE, BigDecimal.TWO, 50, 65_000, 20_000);
        try (SettlementService service = new SettlementService(asGateway, gateway.getAddress(), dir, policy)) {
            service.accept(Vouchers.sign(asGateway.domain(), open, BigInteger.valueOf(5_000), tenant));
            assertThat(service.settle()).as("5000 units do not pay for the gas").isEmpty();

            contracts.as(tenant).paymentChannels().startClose(closing);
            service.accept(Vouchers.sign(asGateway.domain(), closing, BigInteger.valueOf(7_000), tenant));
            assertThat(service.settle()).extracting(Redemption::channelId).containsExactly(closing);

            service.accept(Vouchers.sign(asGateway.domain(), open, GRID, tenant));
            assertThat(service.settle()).extracting(Redemption::channelId).containsExactly(open);
        }
    }
}
