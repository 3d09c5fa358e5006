package io.gridshare.gateway.payment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gridshare.chain.ChainConnection;
import io.gridshare.chain.contracts.GridshareContracts;
import io.gridshare.chain.local.LocalChain;
import io.gridshare.chain.settlement.VoucherStore;
import io.gridshare.chain.tx.TransactionOptions;
import io.gridshare.chain.voucher.Voucher;
import io.gridshare.client.ChannelKey;
import io.gridshare.client.ChannelManager;
import io.gridshare.client.InMemoryChannelLedger;
import io.gridshare.gateway.observe.VoucherRejection;
import io.gridshare.node.engine.InferenceEngine;
import io.grpc.Status;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;

/**
 * What the gateway's payment side reports to its observer (and so to the metrics) while real paid
 * jobs run on anvil: each test measures the change its own job made, by exactly the amounts the
 * protocol says. One network for the class.
 */
class PaymentEventsTest {

    private static final BigInteger TENANT_DEPOSIT = BigInteger.valueOf(1_000_000);
    private static final Duration PAYMENT_TIMEOUT = Duration.ofMillis(1000);

    @TempDir
    static Path dir;
    private static LocalChain chain;
    private static InferenceEngine engine;
    private static PaidNetwork network;
    private static final RecordingPaymentObserver observed = new RecordingPaymentObserver();
    private static Credentials tenantKey;

    @BeforeAll
    static void startNetwork() throws Exception {
        engine = PaidNetwork.stories260KOnCpu();
        chain = LocalChain.start();
        network = new PaidNetwork(chain, engine, dir.resolve("gateway"), dir.resolve("node"), PAYMENT_TIMEOUT,
                observed);
        tenantKey = chain.account(2);
        await().atMost(Duration.ofSeconds(30)).until(network.node::linked);
    }

    @AfterAll
    static void stopNetwork() {
        if (network != null) {
            network.close();
        }
        if (chain != null) {
            chain.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    private static ChannelKey openChannel() {
        return new ChannelManager(network.contracts(), tenantKey, new InMemoryChannelLedger())
                .open(network.gatewayKey.getAddress(), TENANT_DEPOSIT, tenantKey.getAddress(), false);
    }

    private static BigInteger tenantPrice(long tokens) {
        return PaidNetwork.TENANT_PRICE.multiply(BigInteger.valueOf(tokens));
    }

    @Test
    void aPaidJobCountsEveryVoucherAndItsValueAndARedemptionEmptiesTheUnredeemedValue() throws Exception {
        ChannelKey channel = openChannel();
        AtomicInteger vouchers = new AtomicInteger();
        AtomicReference<BigInteger> signed = new AtomicReference<>(BigInteger.ZERO);
        var before = observed.snapshot();
        try (RawTenant tenant = new RawTenant(network.target(), channel)) {
            tenant.start("Once upon a time", 20, (t, due) -> {
                BigInteger amount = new BigInteger(due.getCumulativeAmount().getBaseUnits());
                // as the tenant client does: a due the last voucher already covers gets none
                if (amount.compareTo(signed.get()) > 0) {
                    signed.set(amount);
                    vouchers.incrementAndGet();
                    t.pay(amount, tenantKey);
                }
            });
            assertThat(tenant.awaitEnd().getCode()).isEqualTo(Status.Code.OK);
            assertThat(tenant.tokens()).isEqualTo(20);
        }
        network.nodePayer().flush();
        var paid = observed.snapshot();

        assertThat(paid.accepted() - before.accepted()).isEqualTo(vouchers.get());
        assertThat(paid.promised().subtract(before.promised())).isEqualTo(tenantPrice(20));
        assertThat(paid.unredeemed().subtract(before.unredeemed())).isEqualTo(tenantPrice(20));
        assertThat(paid.rejectedInAll()).isEqualTo(before.rejectedInAll());
        assertThat(paid.promisedToNodes().subtract(before.promisedToNodes()))
                .as("the node is promised its 20 tokens at its price").isEqualTo(PaidNetwork.NODE_PRICE.multiply(
                        BigInteger.valueOf(20)));
        assertThat(paid.nodeVouchers()).isGreaterThan(before.nodeVouchers());

        network.payments.settlement().orElseThrow().settleAll();
        var settled = observed.snapshot();

        assertThat(settled.redemptions() - paid.redemptions()).as("one redeemMany for every channel").isEqualTo(1);
        assertThat(settled.redeemed().subtract(paid.redeemed())).as("everything held is redeemed")
                .isEqualTo(paid.unredeemed());
        assertThat(settled.unredeemed()).isZero();
    }

    @Test
    void aForgedVoucherCountsAsABadSignatureAndAddsNothing() throws Exception {
        ChannelKey channel = openChannel();
        Credentials forger = Credentials.create(Keys.createEcKeyPair());
        var before = observed.snapshot();
        try (RawTenant tenant = new RawTenant(network.target(), channel)) {
            tenant.start("Once upon a time", 30, (t, due) ->
                    t.pay(new BigInteger(due.getCumulativeAmount().getBaseUnits()), forger));
            assertThat(tenant.awaitEnd().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        }
        var after = observed.snapshot();

        assertThat(after.rejected(VoucherRejection.BAD_SIGNATURE) - before.rejected(VoucherRejection.BAD_SIGNATURE))
                .isEqualTo(1);
        assertThat(after.rejectedInAll() - before.rejectedInAll()).isEqualTo(1);
        assertThat(after.accepted()).isEqualTo(before.accepted());
        assertThat(after.promised()).isEqualTo(before.promised());
        assertThat(after.unredeemed()).isEqualTo(before.unredeemed());
    }

    @Test
    void aReplayedVoucherCountsAsNotHigherAndOnlyTheFirstCopyIsAccepted() throws Exception {
        ChannelKey channel = openChannel();
        AtomicInteger dues = new AtomicInteger();
        var before = observed.snapshot();
        try (RawTenant tenant = new RawTenant(network.target(), channel)) {
            tenant.start("Once upon a time", 100, (t, due) -> {
                if (dues.getAndIncrement() == 0) {
                    var voucher = t.pay(new BigInteger(due.getCumulativeAmount().getBaseUnits()), tenantKey);
                    t.send(voucher);
                    t.send(voucher);
                }
            });
            assertThat(tenant.awaitEnd().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        }
        var after = observed.snapshot();

        assertThat(after.rejected(VoucherRejection.NOT_HIGHER) - before.rejected(VoucherRejection.NOT_HIGHER))
                .isEqualTo(2);
        assertThat(after.accepted() - before.accepted()).isEqualTo(1);
        assertThat(after.promised().subtract(before.promised())).isEqualTo(tenantPrice((PaidNetwork.WINDOW + 1) / 2));
    }

    @Test
    void aTenantThatNeverPaysIsPausedOnceAtTheWindowThenCutOffOnce() throws Exception {
        ChannelKey channel = openChannel();
        var before = observed.snapshot();
        try (RawTenant tenant = new RawTenant(network.target(), channel)) {
            tenant.start("Once upon a time", 100, (t, due) -> { });
            Status end = tenant.awaitEnd();
            assertThat(end.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(tenant.tokens()).isEqualTo(PaidNetwork.WINDOW);
        }
        var after = observed.snapshot();

        assertThat(after.paused() - before.paused()).isEqualTo(1);
        assertThat(after.cutOff() - before.cutOff()).isEqualTo(1);
        assertThat(after.accepted()).isEqualTo(before.accepted());
    }

    @Test
    void aSettlementRoundThatCannotReachTheChainCountsAsAFailedRedemption() {
        Path settlement = dir.resolve("unreachable");
        // a stored voucher, so that the round has a channel to read
        try (VoucherStore store = new VoucherStore(settlement.resolve("tenant-vouchers"))) {
            store.put(new Voucher(BigInteger.ONE, BigInteger.TEN, new byte[65]));
        }
        ChainConnection connection = ChainConnection.connect(chain.connection().rpcUrl());
        GridshareContracts contracts = GridshareContracts.as(connection, chain.deployment(), chain.account(0),
                TransactionOptions.defaults());
        RecordingPaymentObserver own = new RecordingPaymentObserver();
        try (GatewayPayments payments = GatewayPayments.paid(contracts, chain.account(7),
                PaymentSettings.defaults(settlement), PaidNetwork.WINDOW, own)) {
            assertThat(own.snapshot().unredeemed()).as("the stored voucher is held unredeemed").isEqualTo(BigInteger.TEN);
            connection.close();

            payments.settleRound();

            assertThat(own.snapshot().redemptionsFailed()).isEqualTo(1);
            assertThat(own.snapshot().redemptions()).isZero();
        }
    }
}
