package io.gridshare.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gridshare.chain.local.AnvilAccounts;
import io.gridshare.chain.voucher.Voucher;
import io.gridshare.chain.voucher.Vouchers;
import io.gridshare.proto.v1.FinishReason;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

class TenantClientTest {
    private static final Credentials TENANT = AnvilAccounts.get(1);
    private static final ChannelKey CHANNEL = ScriptedGateway.testChannel(7);
    private static final BigInteger PRICE = BigInteger.valueOf(1_000);

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables.reversed()) {
            c.close();
        }
    }

    private ScriptedGateway gateway(ScriptedGateway.Script script) {
        script.expectedSigner = TENANT.getAddress();
        ScriptedGateway gateway = ScriptedGateway.inProcess(script);
        closeables.add(gateway);
        return gateway;
    }

    private TenantClient client(ScriptedGateway gateway, ChannelLedger ledger, BigInteger depositCap) {
        ManagedChannel channel = gateway.channel();
        closeables.add(channel::shutdownNow);
        TenantClient client = TenantClient.builder().channel(channel).signer(VoucherSigner.of(TENANT)).ledger(ledger)
                .depositCap(depositCap).deadline(Duration.ofSeconds(20)).build();
        closeables.add(client);
        return client;
    }

    private static JobSpec paidJob(int tokens) {
        return JobSpec.builder("stories260K", "Once").maxTokens(tokens).channel(CHANNEL).build();
    }

    private static BigInteger price(long tokens) {
        return PRICE.multiply(BigInteger.valueOf(tokens));
    }

    @Test
    void streamsTokensInOrderAndReturnsTheVerifiedReceipt() {
        ScriptedGateway gateway = gateway(new ScriptedGateway.Script());
        List<TokenChunk> chunks = new ArrayList<>();
        JobResult result = client(gateway, new InMemoryChannelLedger(), price(1_000)).generate(paidJob(10), chunks::add);

        assertThat(result.text()).isEqualTo(" Once upon a time there was a fox in the");
        assertThat(chunks).extracting(TokenChunk::index).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(result.tokenIds()).hasSize(10);
        assertThat(result.receipt().tokens()).isEqualTo(10);
        assertThat(result.receipt().amount()).isEqualTo(price(10));
        assertThat(result.receipt().nodeTokens()).containsExactly(java.util.Map.entry(result.receipt().nodeIds().getFirst(), 10));
        assertThat(result.paid()).isEqualTo(price(10));
        assertThat(result.finishReason()).isEqualTo(FinishReason.FINISH_REASON_STOP);
        assertThat(result.accepted().payee()).isEqualTo(new ScriptedGateway.Script().payee);
        assertThat(result.timeToFirstToken()).isPositive();
    }

    @Test
    void signsCumulativeVouchersForExactlyTheTokensReceivedWithTheSessionKey() {
        ScriptedGateway gateway = gateway(new ScriptedGateway.Script());
        client(gateway, new InMemoryChannelLedger(), price(1_000)).generate(paidJob(10), TokenListener.ignoring());

        // window 4: PaymentDue every 2 tokens, then once at the end (already covered)
        assertThat(ScriptedGateway.amounts(gateway.vouchers)).containsExactly(price(2), price(4), price(6), price(8), price(10));
        for (Voucher voucher : gateway.vouchers) {
            assertThat(Vouchers.recoverSigner(CHANNEL.domain(), voucher)).isEqualToIgnoringCase(TENANT.getAddress());
            assertThat(voucher.channelId()).isEqualTo(CHANNEL.channelId());
        }
    }

    @Test
    void aGreedyGatewayAskingForMoreGetsOnlyWhatTheReceivedTokensAreWorth() {
        ScriptedGateway.Script script = new ScriptedGateway.Script();
        script.greedyExtra = price(500);
        ScriptedGateway gateway = gateway(script);
        JobResult result = client(gateway, new InMemoryChannelLedger(), price(10_000)).generate(paidJob(10), TokenListener.ignoring());

        assertThat(ScriptedGateway.amounts(gateway.vouchers)).containsExactly(price(2), price(4), price(6), price(8), price(10));
        assertThat(result.paid()).isEqualTo(price(10));
    }

    @Test
    void refusesToSignBeyondTheDepositAndStopsTheJob() throws InterruptedException {
        ScriptedGateway gateway = gateway(new ScriptedGateway.Script());
        InMemoryChannelLedger ledger = new InMemoryChannelLedger();
        TenantClient client = client(gateway, ledger, price(5));

        assertThatThrownBy(() -> client.generate(paidJob(10), TokenListener.ignoring()))
                .isInstanceOf(PaymentRefusedException.class)
                .hasMessageContaining("above its deposit " + price(5))
                .hasMessageContaining("gridshare channel topup");
        // the vouchers reach the gateway asynchronously, ahead of the CancelJob on the same stream
        assertThat(gateway.cancelled.await(5, TimeUnit.SECONDS)).isTrue();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> gateway.vouchers.size() >= 2);
        assertThat(ScriptedGateway.amounts(gateway.vouchers)).containsExactly(price(2), price(4));
        assertThat(ledger.highestSigned(CHANNEL)).isEqualTo(price(4));
    }

    @Test
    void theFileLedgerCarriesTheSignedAmountAcrossAClientRestart(@TempDir Path dir) {
        ScriptedGateway gateway = gateway(new ScriptedGateway.Script());
        try (TenantClient first = client(gateway, new FileChannelLedger(dir), price(1_000))) {
            first.generate(paidJob(4), TokenListener.ignoring());
        }
        TenantClient second = client(gateway, new FileChannelLedger(dir), price(1_000));
        JobResult result = second.generate(paidJob(4), TokenListener.ignoring());

        assertThat(ScriptedGateway.amounts(gateway.vouchers)).containsExactly(price(2), price(4), price(6), price(8));
        assertThat(result.paid()).isEqualTo(price(4));
        assertThat(result.highestSigned()).isEqualTo(price(8));
        assertThat(new FileChannelLedger(dir).highestSigned(CHANNEL)).isEqualTo(price(8));
    }

    @Test
    void aGapInTokenIndicesFailsTheJob() {
        ScriptedGateway.Script script = new ScriptedGateway.Script();
        script.gapAt = 3;
        TenantClient client = client(gateway(script), new InMemoryChannelLedger(), price(1_000));

        assertThatThrownBy(() -> client.generate(paidJob(10), TokenListener.ignoring()))
                .isInstanceOf(ProtocolViolationException.class).hasMessageContaining("missing tokens: expected index 3, got 4");
    }

    @Test
    void aRepeatedTokenIndexFailsTheJob() {
        ScriptedGateway.Script script = new ScriptedGateway.Script();
        script.repeatAt = 2;
        TenantClient client = client(gateway(script), new InMemoryChannelLedger(), price(1_000));

        assertThatThrownBy(() -> client.generate(paidJob(10), TokenListener.ignoring()))
                .isInstanceOf(ProtocolViolationException.class).hasMessageContaining("repeated tokens: expected index 2, got 1");
    }

    @Test
    void aReceiptThatClaimsMoreThanWasPaidIsDetected() {
        ScriptedGateway.Script script = new ScriptedGateway.Script();
        script.receiptAmountDelta = PRICE;
        TenantClient client = client(gateway(script), new InMemoryChannelLedger(), price(1_000));

        assertThatThrownBy(() -> client.generate(paidJob(10), TokenListener.ignoring()))
                .isInstanceOf(ProtocolViolationException.class)
                .hasMessageContaining("receipt's amount " + price(11) + " is not 10 tokens × 1000");
    }

    @Test
    void aGatewayStatusBecomesAReadableExceptionWithWhatToDo() {
        ScriptedGateway.Script script = new ScriptedGateway.Script();
        script.failWith = Status.FAILED_PRECONDITION.withDescription("channel 7 pays 0xabc, not this gateway 0xdef");
        TenantClient client = client(gateway(script), new InMemoryChannelLedger(), price(1_000));

        assertThatThrownBy(() -> client.generate(paidJob(10), TokenListener.ignoring()))
                .isInstanceOfSatisfying(GridshareClientException.class, e -> {
                    assertThat(e.code()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                    assertThat(e.description()).isEqualTo("channel 7 pays 0xabc, not this gateway 0xdef");
                    assertThat(e.advice()).contains("gridshare channel open --deposit");
                });
    }

    @Test
    void anUnreachableGatewaySaysHowToStartOne() {
        try (TenantClient client = TenantClient.builder().target("127.0.0.1:1").deadline(Duration.ofSeconds(5)).build()) {
            assertThatThrownBy(client::listModels).isInstanceOfSatisfying(GridshareClientException.class, e -> {
                assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(e.getMessage()).contains("cannot reach gateway at 127.0.0.1:1")
                        .contains(GridshareClientException.START_LOCAL_NETWORK);
            });
        }
    }

    @Test
    void cancellingAJobSendsCancelJobAndEndsItWithCancelled() throws InterruptedException {
        ScriptedGateway.Script script = new ScriptedGateway.Script();
        script.stallAfter = 2;
        ScriptedGateway gateway = gateway(script);
        CountDownLatch twoTokens = new CountDownLatch(2);
        JobHandle job = client(gateway, new InMemoryChannelLedger(), price(1_000)).start(paidJob(10), chunk -> twoTokens.countDown());

        assertThat(twoTokens.await(5, TimeUnit.SECONDS)).isTrue();
        job.cancel();

        assertThatThrownBy(job::await).isInstanceOfSatisfying(GridshareClientException.class,
                e -> assertThat(e.code()).isEqualTo(Status.Code.CANCELLED));
        assertThat(gateway.cancelled.await(5, TimeUnit.SECONDS)).isTrue();
        // CancelJob and the call's cancellation race to the gateway: either ends the job there
        assertThat(gateway.cancelReason).containsIgnoringCase("cancel");
    }

    @Test
    void aSlowListenerHoldsBackTheNextMessages() throws InterruptedException {
        ScriptedGateway gateway = gateway(new ScriptedGateway.Script());
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        JobHandle job = client(gateway, new InMemoryChannelLedger(), price(1_000)).start(paidJob(10), chunk -> {
            seen.add(chunk.index());
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        // the listener blocks on the first token: no second token is delivered and no voucher is signed
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !seen.isEmpty());
        assertThat(job.result()).isNotDone();
        assertThat(seen).containsExactly(0);
        assertThat(gateway.vouchers).isEmpty();
        release.countDown();
        assertThat(job.await().receipt().tokens()).isEqualTo(10);
    }

    @Test
    void aChannelThatPaysAnotherPayeeIsRefusedBeforeAnyToken() {
        ScriptedGateway gateway = gateway(new ScriptedGateway.Script());
        ManagedChannel channel = gateway.channel();
        closeables.add(channel::shutdownNow);
        DepositSource elsewhere = new DepositSource() {
            @Override
            public BigInteger deposit(ChannelKey key) {
                return price(1_000);
            }

            @Override
            public String payee(ChannelKey key) {
                return "0x000000000000000000000000000000000000dead";
            }
        };
        TenantClient client = TenantClient.builder().channel(channel).signer(VoucherSigner.of(TENANT)).deposits(elsewhere).build();
        closeables.add(client);

        assertThatThrownBy(() -> client.generate(paidJob(10), TokenListener.ignoring()))
                .isInstanceOf(GridshareClientException.class)
                .hasMessageContaining("pays 0x000000000000000000000000000000000000dead, but this gateway's payee is")
                .hasMessageContaining("gridshare channel open --payee");
        assertThat(gateway.vouchers).isEmpty();
    }

    @Test
    void listsTheModelsTheGatewayOffers() {
        TenantClient client = client(gateway(new ScriptedGateway.Script()), new InMemoryChannelLedger(), price(1));

        assertThat(client.listModels()).singleElement().satisfies(m -> {
            assertThat(m.name()).isEqualTo("stories260K");
            assertThat(m.freeSlots()).isEqualTo(3);
            assertThat(m.minPricePerToken()).isEqualTo(PRICE);
            assertThat(m.contextLength()).isEqualTo(512);
            assertThat(m.architecture()).isEqualTo("llama");
            assertThat(m.parameters()).isEqualTo(260_032);
            assertThat(m.quantization()).isEqualTo("F32");
            assertThat(m.chat()).isFalse();
        });
    }

    @Test
    void aFreeJobSendsNoChannelAndSignsNothing() {
        ScriptedGateway.Script script = new ScriptedGateway.Script();
        script.price = BigInteger.ZERO;
        ScriptedGateway gateway = gateway(script);
        JobResult result = client(gateway, new InMemoryChannelLedger(), price(1))
                .generate(JobSpec.builder("stories260K", "Once").maxTokens(3).build(), TokenListener.ignoring());

        assertThat(result.receipt().tokens()).isEqualTo(3);
        assertThat(result.paid()).isZero();
        assertThat(gateway.requests.getFirst().hasChannel()).isFalse();
        assertThat(gateway.vouchers).isEmpty();
    }
}
