package io.gridshare.chain.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gridshare.chain.ChainConnection;
import io.gridshare.chain.ContractRevertedException;
import io.gridshare.chain.InvalidVoucherException;
import io.gridshare.chain.InvalidVoucherException.Reason;
import io.gridshare.chain.RpcUnavailableException;
import io.gridshare.chain.local.LocalChain;
import io.gridshare.chain.rpc.RetryPolicy;
import io.gridshare.chain.tx.TransactionOptions;
import io.gridshare.chain.voucher.Voucher;
import io.gridshare.chain.voucher.VoucherDomain;
import io.gridshare.chain.voucher.Vouchers;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameterName;

/** Bad input fails with a clear exception and sends no transaction. */
class BadInputTest {
    private static final BigInteger GRID = BigInteger.TEN.pow(18);
    private static final BigInteger DEPOSIT = GRID.multiply(BigInteger.TEN);
    private static LocalChain chain;
    private static GridshareContracts contracts;
    private static BigInteger channelId;
    private static Credentials tenant;
    private static Credentials gateway;
    private PaymentChannelsClient asGateway;
    private BigInteger gatewayNonce;

    @BeforeAll
    static void startChain() {
        chain = LocalChain.start();
        contracts = GridshareContracts.as(chain.connection(), chain.deployment(), chain.account(0), TransactionOptions.defaults());
        tenant = chain.account(1);
        gateway = chain.account(2);
        GridshareContracts asTenant = contracts.as(tenant);
        asTenant.gridToken().approve(chain.deployment().paymentChannels(), DEPOSIT);
        channelId = asTenant.paymentChannels().open(gateway.getAddress(), chain.deployment().gridToken(), DEPOSIT, tenant.getAddress());
    }

    @AfterAll
    static void stopChain() {
        chain.close();
    }

    @BeforeEach
    void rememberNonce() {
        asGateway = contracts.as(gateway).paymentChannels();
        gatewayNonce = nonce(gateway);
    }

    private static BigInteger nonce(Credentials account) {
        return chain.connection().send("nonce", chain.connection().web3j()
                .ethGetTransactionCount(account.getAddress(), DefaultBlockParameterName.PENDING)).getTransactionCount();
    }

    private void assertNothingSent() {
        assertThat(nonce(gateway)).as("transactions sent by the gateway").isEqualTo(gatewayNonce);
    }

    private static Voucher withSignature(Voucher voucher, byte[] signature) {
        return new Voucher(voucher.channelId(), voucher.cumulativeAmount(), signature);
    }

    @Test
    @DisplayName("a signature of the wrong length is refused before sending")
    void refusesShortSignature() {
        Voucher good = Vouchers.sign(asGateway.domain(), channelId, GRID, tenant);
        Voucher bad = withSignature(good, java.util.Arrays.copyOf(good.signature(), 64));
        assertThatThrownBy(() -> asGateway.redeem(bad))
                .isInstanceOfSatisfying(InvalidVoucherException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED_SIGNATURE))
                .hasMessageContaining("64 bytes");
        assertNothingSent();
    }

    @Test
    @DisplayName("a signature with v other than 27/28 is refused before sending")
    void refusesBadV() {
        Voucher good = Vouchers.sign(asGateway.domain(), channelId, GRID, tenant);
        byte[] signature = good.signature();
        signature[64] = 1;
        assertThatThrownBy(() -> asGateway.redeem(withSignature(good, signature)))
                .isInstanceOfSatisfying(InvalidVoucherException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED_SIGNATURE))
                .hasMessageContaining("v = 1");
        assertNothingSent();
    }

    @Test
    @DisplayName("a malleated (high-s) signature is refused before sending")
    void refusesHighS() {
        Voucher good = Vouchers.sign(asGateway.domain(), channelId, GRID, tenant);
        byte[] signature = good.signature();
        BigInteger n = org.web3j.crypto.Sign.CURVE_PARAMS.getN();
        BigInteger s = new BigInteger(1, java.util.Arrays.copyOfRange(signature, 32, 64));
        System.arraycopy(org.web3j.utils.Numeric.toBytesPadded(n.subtract(s), 32), 0, signature, 32, 32);
        signature[64] = (byte) (signature[64] == 27 ? 28 : 27);
        assertThatThrownBy(() -> asGateway.redeem(withSignature(good, signature)))
                .isInstanceOfSatisfying(InvalidVoucherException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED_SIGNATURE))
                .hasMessageContaining("upper half");
        assertNothingSent();
    }

    @Test
    @DisplayName("a voucher for more than the deposit is refused before sending")
    void refusesVoucherAboveDeposit() {
        Voucher tooMuch = Vouchers.sign(asGateway.domain(), channelId, DEPOSIT.add(BigInteger.ONE), tenant);
        assertThatThrownBy(() -> asGateway.redeem(tooMuch))
                .isInstanceOfSatisfying(InvalidVoucherException.class, e -> assertThat(e.reason()).isEqualTo(Reason.EXCEEDS_DEPOSIT))
                .hasMessageContaining("more than the deposit " + DEPOSIT);
        assertNothingSent();
    }

    @Test
    @DisplayName("a voucher signed for another chain id is refused before sending")
    void refusesVoucherForOtherChain() {
        VoucherDomain otherChain = new VoucherDomain(1, asGateway.address());
        Voucher foreign = Vouchers.sign(otherChain, channelId, GRID, tenant);
        assertThatThrownBy(() -> asGateway.redeem(foreign))
                .isInstanceOfSatisfying(InvalidVoucherException.class, e -> assertThat(e.reason()).isEqualTo(Reason.WRONG_SIGNER))
                .hasMessageContaining("chainId=" + chain.deployment().chainId());
        assertNothingSent();
    }

    @Test
    @DisplayName("a voucher signed for another contract is refused before sending")
    void refusesVoucherForOtherContract() {
        VoucherDomain otherContract = new VoucherDomain(chain.deployment().chainId(), chain.deployment().nodeRegistry());
        Voucher foreign = Vouchers.sign(otherContract, channelId, GRID, tenant);
        assertThatThrownBy(() -> asGateway.redeem(foreign))
                .isInstanceOfSatisfying(InvalidVoucherException.class, e -> assertThat(e.reason()).isEqualTo(Reason.WRONG_SIGNER));
        assertNothingSent();
    }

    @Test
    @DisplayName("a voucher signed by someone else than the channel's signer is refused before sending")
    void refusesWrongSigner() {
        Voucher forged = Vouchers.sign(asGateway.domain(), channelId, GRID, gateway);
        assertThatThrownBy(() -> asGateway.redeem(forged))
                .isInstanceOfSatisfying(InvalidVoucherException.class, e -> assertThat(e.reason()).isEqualTo(Reason.WRONG_SIGNER))
                .hasMessageContaining(tenant.getAddress());
        assertNothingSent();
    }

    @Test
    @DisplayName("a revert is decoded into the contract's custom error with its arguments, and nothing is sent")
    void decodesCustomError() {
        assertThatThrownBy(() -> asGateway.finalizeClose(channelId))
                .isInstanceOfSatisfying(ContractRevertedException.class, e -> {
                    assertThat(e.errorName()).isEqualTo("PaymentChannels_CloseNotStarted");
                    assertThat(e.argument("channelId")).contains(channelId);
                    assertThat(e.transactionHash()).isNull();
                })
                .hasMessageContaining("PaymentChannels.finalizeClose reverted with PaymentChannels_CloseNotStarted(channelId=" + channelId + ")");
        assertNothingSent();
    }

    @Test
    @DisplayName("a payee-only call from the payer names the error, the caller and the payee")
    void decodesErrorWithAddresses() {
        assertThatThrownBy(() -> contracts.as(tenant).paymentChannels().closeByPayee(channelId))
                .isInstanceOfSatisfying(ContractRevertedException.class, e -> {
                    assertThat(e.errorName()).isEqualTo("PaymentChannels_NotPayee");
                    assertThat(e.arguments()).hasSize(3);
                })
                .hasMessageContaining(gateway.getAddress().toLowerCase(java.util.Locale.ROOT));
    }

    @Test
    @DisplayName("an RPC endpoint that refuses connections fails with a message naming the URL")
    void rpcRefusingConnections() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port;
        assertThatThrownBy(() -> ChainConnection.connect(url, new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(20))))
                .isInstanceOfSatisfying(RpcUnavailableException.class, e -> assertThat(e.url()).isEqualTo(url))
                .hasMessageContaining(url)
                .hasMessageContaining("3 attempt(s)")
                .hasMessageContaining("connection refused");
    }
}
