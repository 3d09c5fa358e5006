package io.gridshare.chain.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridshare.chain.Deployment;
import io.gridshare.chain.local.LocalChain;
import io.gridshare.chain.tx.TransactionOptions;
import io.gridshare.chain.voucher.Voucher;
import io.gridshare.chain.voucher.Vouchers;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;

/** The whole money flow against a real anvil, every balance checked to the unit. */
class PaymentFlowTest {
    private static final BigInteger GRID = BigInteger.TEN.pow(18);
    private static LocalChain chain;
    private static GridshareContracts contracts;
    private static Deployment deployment;
    private static String treasury;

    @BeforeAll
    static void startChain() {
        chain = LocalChain.start();
        deployment = chain.deployment();
        contracts = GridshareContracts.as(chain.connection(), deployment, chain.account(0), TransactionOptions.defaults());
        treasury = chain.account(chain.options().treasuryAccount()).getAddress();
    }

    @AfterAll
    static void stopChain() {
        chain.close();
    }

    private static BigInteger grid(String holder) {
        return contracts.gridToken().balanceOf(holder);
    }

    private static BigInteger fee(BigInteger paid) {
        return paid.multiply(BigInteger.valueOf(chain.options().feeBps())).divide(BigInteger.valueOf(10_000));
    }

    @Test
    @DisplayName("an operator registers a node with stake and the gateway sees it active")
    void registersNodeWithStake() throws Exception {
        Credentials operator = chain.account(1);
        String nodeKey = Keys.toChecksumAddress(Keys.getAddress(Keys.createEcKeyPair()));
        GridshareContracts asOperator = contracts.as(operator);
        BigInteger stake = chain.options().minStake().add(BigInteger.valueOf(7));
        BigInteger operatorBefore = grid(operator.getAddress());
        BigInteger registryBefore = grid(deployment.nodeRegistry());

        assertThat(contracts.nodeStakes().status(nodeKey).registered()).isFalse();
        asOperator.gridToken().approve(deployment.nodeRegistry(), stake);
        asOperator.nodeRegistry().register(nodeKey, stake, new byte[32], "ipfs://node");

        NodeStatus status = contracts.nodeStakes().status(nodeKey);
        assertThat(status).isEqualTo(new NodeStatus(true, true, stake, operator.getAddress()));
        assertThat(grid(operator.getAddress())).isEqualTo(operatorBefore.subtract(stake));
        assertThat(grid(deployment.nodeRegistry())).isEqualTo(registryBefore.add(stake));
    }

    @Test
    @DisplayName("unbonding below the minimum stake makes a node inactive")
    void unbondingDeactivates() throws Exception {
        Credentials operator = chain.account(1);
        String nodeKey = Keys.toChecksumAddress(Keys.getAddress(Keys.createEcKeyPair()));
        GridshareContracts asOperator = contracts.as(operator);
        BigInteger stake = chain.options().minStake();
        asOperator.gridToken().approve(deployment.nodeRegistry(), stake.add(GRID));
        asOperator.nodeRegistry().register(nodeKey, stake, new byte[32], "");
        asOperator.nodeRegistry().topUp(nodeKey, GRID);
        assertThat(contracts.nodeStakes().status(nodeKey).bondedStake()).isEqualTo(stake.add(GRID));

        asOperator.nodeRegistry().startUnbonding(nodeKey, GRID.multiply(BigInteger.TWO));

        NodeStatus status = contracts.nodeStakes().status(nodeKey);
        assertThat(status.registered()).isTrue();
        assertThat(status.active()).isFalse();
        assertThat(status.bondedStake()).isEqualTo(stake.subtract(GRID));
    }

    @Test
    @DisplayName("a channel pays the payee what the vouchers say minus the fee, and refunds the payer the rest")
    void channelLifecycle() throws Exception {
        Credentials tenant = chain.account(2);
        Credentials gateway = chain.account(3);
        Credentials sessionKey = Credentials.create(Keys.createEcKeyPair());
        BigInteger deposit = GRID.multiply(BigInteger.valueOf(10));
        String token = deployment.gridToken();
        BigInteger tenantBefore = grid(tenant.getAddress());
        BigInteger gatewayBefore = grid(gateway.getAddress());
        BigInteger contractBefore = grid(deployment.paymentChannels());
        BigInteger accruedBefore = contracts.paymentChannels().accruedFees(token);

        GridshareContracts asTenant = contracts.as(tenant);
        asTenant.gridToken().approve(deployment.paymentChannels(), deposit);
        BigInteger channelId = asTenant.paymentChannels().open(gateway.getAddress(), token, deposit, sessionKey.getAddress());
        assertThat(grid(tenant.getAddress())).isEqualTo(tenantBefore.subtract(deposit));
        assertThat(grid(deployment.paymentChannels())).isEqualTo(contractBefore.add(deposit));

        PaymentChannelsClient asGateway = contracts.as(gateway).paymentChannels();
        Voucher first = Vouchers.sign(asGateway.domain(), channelId, GRID.multiply(BigInteger.valueOf(3)).add(BigInteger.ONE), sessionKey);
        Voucher second = Vouchers.sign(asGateway.domain(), channelId, GRID.multiply(BigInteger.valueOf(4)).add(BigInteger.valueOf(12345)), sessionKey);
        asGateway.redeem(first);
        asGateway.redeem(second);

        BigInteger paid = second.cumulativeAmount();
        BigInteger fees = fee(first.cumulativeAmount()).add(fee(second.cumulativeAmount().subtract(first.cumulativeAmount())));
        assertThat(grid(gateway.getAddress())).isEqualTo(gatewayBefore.add(paid).subtract(fees));
        assertThat(contracts.paymentChannels().accruedFees(token)).isEqualTo(accruedBefore.add(fees));
        assertThat(contracts.paymentChannels().channel(channelId).redeemed()).isEqualTo(paid);

        asTenant.paymentChannels().startClose(channelId);
        // the payee may still redeem during the challenge period
        Voucher third = Vouchers.sign(asGateway.domain(), channelId, paid.add(GRID), sessionKey);
        asGateway.redeem(third);
        BigInteger thirdFee = fee(GRID);
        chain.increaseTime(chain.options().challengePeriodSeconds() + 1);
        contracts.paymentChannels().finalizeClose(channelId);

        BigInteger redeemed = third.cumulativeAmount();
        assertThat(grid(tenant.getAddress())).isEqualTo(tenantBefore.subtract(redeemed));
        assertThat(grid(gateway.getAddress())).isEqualTo(gatewayBefore.add(redeemed).subtract(fees).subtract(thirdFee));
        assertThat(contracts.paymentChannels().channel(channelId).closed()).isTrue();
        assertThat(grid(deployment.paymentChannels())).isEqualTo(contractBefore.add(fees).add(thirdFee));
    }

    @Test
    @DisplayName("collected fees reach the treasury to the unit")
    void feesReachTreasury() throws Exception {
        Credentials tenant = chain.account(4);
        Credentials gateway = chain.account(5);
        String token = deployment.gridToken();
        BigInteger deposit = GRID.multiply(BigInteger.valueOf(5));
        GridshareContracts asTenant = contracts.as(tenant);
        asTenant.gridToken().approve(deployment.paymentChannels(), deposit);
        BigInteger channelId = asTenant.paymentChannels().open(gateway.getAddress(), token, deposit, tenant.getAddress());
        PaymentChannelsClient asGateway = contracts.as(gateway).paymentChannels();
        asGateway.redeem(Vouchers.sign(asGateway.domain(), channelId, deposit, tenant));

        BigInteger accrued = contracts.paymentChannels().accruedFees(token);
        BigInteger treasuryBefore = grid(treasury);
        BigInteger contractBefore = grid(deployment.paymentChannels());
        contracts.paymentChannels().collectFees(token);

        BigInteger left = contracts.paymentChannels().accruedFees(token);
        assertThat(grid(treasury)).isEqualTo(treasuryBefore.add(accrued).subtract(left));
        assertThat(grid(deployment.paymentChannels())).isEqualTo(contractBefore.subtract(accrued).add(left));
        assertThat(left).isLessThanOrEqualTo(BigInteger.ONE);
    }

    @Test
    @DisplayName("redeemMany pays several channels in one transaction and the payee may close at once")
    void redeemManyAndCloseByPayee() throws Exception {
        Credentials tenant = chain.account(6);
        Credentials gateway = chain.account(7);
        String token = deployment.gridToken();
        BigInteger deposit = GRID.multiply(BigInteger.valueOf(2));
        GridshareContracts asTenant = contracts.as(tenant);
        asTenant.gridToken().approve(deployment.paymentChannels(), deposit.multiply(BigInteger.valueOf(3)));
        List<BigInteger> ids = List.of(
                asTenant.paymentChannels().open(gateway.getAddress(), token, deposit, tenant.getAddress()),
                asTenant.paymentChannels().open(gateway.getAddress(), token, deposit, tenant.getAddress()),
                asTenant.paymentChannels().open(gateway.getAddress(), token, deposit, tenant.getAddress()));
        BigInteger tenantBefore = grid(tenant.getAddress());
        BigInteger gatewayBefore = grid(gateway.getAddress());
        PaymentChannelsClient asGateway = contracts.as(gateway).paymentChannels();
        List<BigInteger> amounts = List.of(BigInteger.valueOf(1_000_003), GRID, deposit);
        List<Voucher> vouchers = List.of(
                Vouchers.sign(asGateway.domain(), ids.get(0), amounts.get(0), tenant),
                Vouchers.sign(asGateway.domain(), ids.get(1), amounts.get(1), tenant),
                Vouchers.sign(asGateway.domain(), ids.get(2), amounts.get(2), tenant));

        var receipt = asGateway.redeemMany(vouchers);

        assertThat(ChannelEvents.redeemed(receipt, deployment.paymentChannels())).hasSize(3);
        BigInteger total = amounts.stream().reduce(BigInteger.ZERO, BigInteger::add);
        BigInteger fees = amounts.stream().map(PaymentFlowTest::fee).reduce(BigInteger.ZERO, BigInteger::add);
        assertThat(grid(gateway.getAddress())).isEqualTo(gatewayBefore.add(total).subtract(fees));

        asGateway.closeByPayee(ids.get(0));
        assertThat(grid(tenant.getAddress())).isEqualTo(tenantBefore.add(deposit.subtract(amounts.get(0))));
        assertThat(contracts.paymentChannels().channel(ids.get(0)).closed()).isTrue();
    }

    @Test
    @DisplayName("a tenant opens a channel with a permit instead of an approve transaction")
    void opensWithPermit() throws Exception {
        Credentials tenant = chain.account(8);
        Credentials gateway = chain.account(3);
        BigInteger deposit = GRID;
        BigInteger tenantBefore = grid(tenant.getAddress());
        GridshareContracts asTenant = contracts.as(tenant);
        BigInteger deadline = BigInteger.valueOf(System.currentTimeMillis() / 1000 + 3600);

        BigInteger channelId = asTenant.paymentChannels().openWithPermit(gateway.getAddress(), asTenant.gridToken(),
                deposit, tenant.getAddress(), tenant, deadline);

        Channel channel = contracts.paymentChannels().channel(channelId);
        assertThat(channel.deposit()).isEqualTo(deposit);
        assertThat(channel.payer()).isEqualToIgnoringCase(tenant.getAddress());
        assertThat(channel.payee()).isEqualToIgnoringCase(gateway.getAddress());
        assertThat(grid(tenant.getAddress())).isEqualTo(tenantBefore.subtract(deposit));
    }

    @Test
    @DisplayName("the Java voucher digest equals the contract's, byte for byte")
    void digestMatchesContract() {
        PaymentChannelsClient channels = contracts.paymentChannels();
        BigInteger id = BigInteger.ONE.shiftLeft(200).add(BigInteger.valueOf(77));
        BigInteger amount = BigInteger.TWO.pow(87).subtract(BigInteger.ONE);
        assertThat(channels.domain().separator()).isEqualTo(channels.domainSeparator());
        assertThat(channels.domain().digest(id, amount)).isEqualTo(channels.voucherDigest(id, amount));
    }
}
