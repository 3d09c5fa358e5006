package io.gridshare.node.payment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.gridshare.chain.ChainConnection;
import io.gridshare.chain.ChainException;
import io.gridshare.chain.contracts.GridTokenClient;
import io.gridshare.chain.contracts.PaymentChannelsClient;
import io.gridshare.chain.local.LocalChain;
import io.gridshare.chain.settlement.SettlementPolicy;
import io.gridshare.chain.tx.TransactionOptions;
import io.gridshare.chain.tx.TransactionSender;
import io.gridshare.chain.voucher.Voucher;
import io.gridshare.chain.voucher.Vouchers;
import io.gridshare.proto.v1.Amount;
import io.gridshare.proto.v1.ChannelRef;
import java.math.BigInteger;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;

/**
 * The node's side of gateway → node payments on a real anvil: which vouchers it keeps, which it
 * refuses, and that its settlement survives a restart without losing or double-redeeming a voucher.
 * Account 1 plays the gateway (payer and signer), account 5 the node.
 */
class NodePaymentsTest {

    private static final BigInteger DEPOSIT = BigInteger.valueOf(10_000);

    private static LocalChain chain;

    @TempDir
    Path dir;
    private Credentials gateway;
    private Credentials node;
    private NodePayments payments;

    @BeforeAll
    static void startChain() {
        chain = LocalChain.start();
    }

    @AfterAll
    static void stopChain() {
        chain.close();
    }

    @BeforeEach
    void start() {
        gateway = chain.account(1);
        node = chain.account(5);
        payments = new NodePayments(channelsAs(node), node.getAddress(), dir, SettlementPolicy.always(), null);
    }

    @AfterEach
    void stop() {
        if (payments != null) {
            payments.close();
        }
    }

    private static PaymentChannelsClient channelsAs(Credentials key) {
        return channelsAs(key, chain.connection());
    }

    private static PaymentChannelsClient channelsAs(Credentials key, ChainConnection connection) {
        return new PaymentChannelsClient(connection, new TransactionSender(connection, key, TransactionOptions.defaults()),
                chain.deployment().paymentChannels());
    }

    /** A channel from the gateway to {@code payee}, signed by the gateway's key. */
    private BigInteger openTo(String payee) {
        GridTokenClient grid = new GridTokenClient(chain.connection(),
                new TransactionSender(chain.connection(), gateway, TransactionOptions.defaults()),
                chain.deployment().gridToken());
        grid.approve(chain.deployment().paymentChannels(), DEPOSIT);
        return channelsAs(gateway).open(payee, grid.address(), DEPOSIT, gateway.getAddress());
    }

    private io.gridshare.proto.v1.Voucher voucher(BigInteger channelId, long amount, Credentials signer) {
        PaymentChannelsClient channels = channelsAs(gateway);
        Voucher v = Vouchers.sign(channels.domain(), channelId, BigInteger.valueOf(amount), signer);
        return io.gridshare.proto.v1.Voucher.newBuilder()
                .setChannel(ChannelRef.newBuilder().setChainId(chain.deployment().chainId())
                        .setContract(chain.deployment().paymentChannels()).setChannelId(channelId.toString()))
                .setCumulativeAmount(Amount.newBuilder().setBaseUnits(Long.toString(amount)))
                .setSignature(ByteString.copyFrom(v.signature())).build();
    }

    private void receive(io.gridshare.proto.v1.Voucher v) {
        payments.onVoucher("gateway-1", node.getAddress(), v);
        payments.flush();
    }

    @Test
    void aVoucherFromTheChannelSignerIsKeptAndCountsAsEarned() {
        BigInteger channel = openTo(node.getAddress());

        receive(voucher(channel, 3_000, gateway));

        assertThat(payments.settlement().latest(channel).map(Voucher::cumulativeAmount)).contains(BigInteger.valueOf(3_000));
        assertThat(payments.earned()).isEqualTo(BigInteger.valueOf(3_000));
        assertThat(payments.vouchersAccepted()).isEqualTo(1);
    }

    @Test
    void aVoucherSignedByAnotherKeyIsRejected() {
        BigInteger channel = openTo(node.getAddress());

        receive(voucher(channel, 3_000, Credentials.create(keyPair())));

        assertThat(payments.settlement().latest(channel)).isEmpty();
        assertThat(payments.vouchersRejected()).isEqualTo(1);
    }

    @Test
    void aReplayedVoucherIsRejectedAndTheLatestStays() {
        BigInteger channel = openTo(node.getAddress());
        io.gridshare.proto.v1.Voucher v = voucher(channel, 3_000, gateway);

        receive(v);
        receive(v);
        receive(voucher(channel, 2_000, gateway));

        assertThat(payments.settlement().latest(channel).map(Voucher::cumulativeAmount)).contains(BigInteger.valueOf(3_000));
        assertThat(payments.vouchersAccepted()).isEqualTo(1);
        assertThat(payments.vouchersRejected()).isEqualTo(2);
    }

    @Test
    void aVoucherBeyondTheDepositIsRefused() {
        BigInteger channel = openTo(node.getAddress());

        receive(voucher(channel, DEPOSIT.longValueExact() + 1, gateway));

        assertThat(payments.settlement().latest(channel)).isEmpty();
        assertThat(payments.vouchersRejected()).isEqualTo(1);
    }

    @Test
    void aVoucherOfAChannelThatPaysSomeoneElseIsRefused() {
        BigInteger channel = openTo(chain.account(6).getAddress());

        receive(voucher(channel, 1_000, gateway));

        assertThat(payments.settlement().latest(channel)).isEmpty();
        assertThat(payments.vouchersRejected()).isEqualTo(1);
    }

    @Test
    void aRestartLosesNoVoucherAndRedeemsNothingTwice() {
        BigInteger channel = openTo(node.getAddress());
        BigInteger before = new GridTokenClient(chain.connection(), null, chain.deployment().gridToken())
                .balanceOf(node.getAddress());
        receive(voucher(channel, 3_000, gateway));
        receive(voucher(channel, 5_000, gateway));
        payments.close();

        payments = new NodePayments(channelsAs(node), node.getAddress(), dir, SettlementPolicy.always(), null);
        assertThat(payments.earned()).isEqualTo(BigInteger.valueOf(5_000));
        assertThat(payments.settleAll()).singleElement()
                .satisfies(r -> assertThat(r.cumulativeAmount()).isEqualTo(BigInteger.valueOf(5_000)));
        payments.close();

        payments = new NodePayments(channelsAs(node), node.getAddress(), dir, SettlementPolicy.always(), null);
        assertThat(payments.settleAll()).isEmpty();
        assertThat(payments.redeemed()).isEqualTo(BigInteger.valueOf(5_000));
        BigInteger fee = BigInteger.valueOf(5_000L * channelsAs(node).feeBps() / 10_000);
        assertThat(new GridTokenClient(chain.connection(), null, chain.deployment().gridToken())
                .balanceOf(node.getAddress())).isEqualTo(before.add(BigInteger.valueOf(5_000)).subtract(fee));
        assertThat(channelsAs(node).channel(channel).redeemed()).isEqualTo(BigInteger.valueOf(5_000));
    }

    @Test
    void closingStoresTheVouchersAlreadyReceivedAndThenClosesTheChainConnection() {
        BigInteger channel = openTo(node.getAddress());
        ChainConnection own = ChainConnection.connect(chain.connection().rpcUrl());
        NodePayments stopping = new NodePayments(channelsAs(node, own), node.getAddress(), dir.resolve("own"),
                SettlementPolicy.always(), null, own);

        stopping.onVoucher("gateway-1", node.getAddress(), voucher(channel, 4_000, gateway));
        stopping.close();

        assertThatThrownBy(own::blockNumber).as("the connection is closed").isInstanceOf(ChainException.class);
        try (NodePayments restarted = new NodePayments(channelsAs(node), node.getAddress(), dir.resolve("own"),
                SettlementPolicy.always(), null)) {
            assertThat(restarted.earned()).as("the voucher queued before close was stored")
                    .isEqualTo(BigInteger.valueOf(4_000));
        }
    }

    @Test
    void metricsCountKeptAndRefusedVouchersByReasonAndWhatIsRedeemedAndStillHeld() {
        BigInteger first = openTo(node.getAddress());
        BigInteger second = openTo(node.getAddress());
        receive(voucher(first, 3_000, gateway));
        receive(voucher(first, 3_000, gateway));
        receive(voucher(first, 9_000, Credentials.create(keyPair())));
        receive(voucher(second, 1_500, gateway));
        payments.settleAll();
        receive(voucher(first, 3_500, gateway));

        StringBuilder text = new StringBuilder();
        NodePaymentMetrics.write(payments, text);

        assertThat(text.toString().lines()).contains(
                "gridshare_node_vouchers_accepted_total 3",
                "gridshare_node_vouchers_rejected_total{reason=\"not_higher\"} 1",
                "gridshare_node_vouchers_rejected_total{reason=\"wrong_signer\"} 1",
                "gridshare_node_vouchers_rejected_total{reason=\"exceeds_deposit\"} 0",
                "gridshare_node_earned_base_units 5000",
                "gridshare_node_redeemed_base_units 4500",
                "gridshare_node_unredeemed_base_units 500",
                "gridshare_node_redemption_transactions_total 1",
                "gridshare_node_redemptions_failed_total 0");
        assertThat(text.toString()).contains("# TYPE gridshare_node_unredeemed_base_units gauge");
    }

    @Test
    void aSettlementThatCannotReachTheChainCountsAsAFailedRedemption() {
        BigInteger channel = openTo(node.getAddress());
        ChainConnection own = ChainConnection.connect(chain.connection().rpcUrl());
        try (NodePayments cut = new NodePayments(channelsAs(node, own), node.getAddress(), dir.resolve("cut"),
                SettlementPolicy.always(), null, own)) {
            cut.onVoucher("gateway-1", node.getAddress(), voucher(channel, 2_000, gateway));
            cut.flush();
            own.close();

            assertThatThrownBy(cut::settleAll).isInstanceOf(ChainException.class);

            assertThat(cut.redemptionFailures()).isEqualTo(1);
            assertThat(cut.unredeemed()).isEqualTo(BigInteger.valueOf(2_000));
        }
    }

    private static org.web3j.crypto.ECKeyPair keyPair() {
        try {
            return Keys.createEcKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
