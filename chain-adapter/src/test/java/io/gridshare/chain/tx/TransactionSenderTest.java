package io.gridshare.chain.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.gridshare.chain.ChainConnection;
import io.gridshare.chain.TransactionTimeoutException;
import io.gridshare.chain.local.LocalChain;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

class TransactionSenderTest {
    private static LocalChain chain;

    @BeforeAll
    static void startChain() {
        chain = LocalChain.start();
    }

    @AfterAll
    static void stopChain() {
        chain.close();
    }

    private static BigInteger nonce(Credentials account) {
        return chain.connection().send("nonce", chain.connection().web3j()
                .ethGetTransactionCount(account.getAddress(), DefaultBlockParameterName.LATEST)).getTransactionCount();
    }

    @Test
    @DisplayName("concurrent transactions from one account all get mined, with consecutive nonces")
    void concurrentTransactions() throws Exception {
        Credentials account = chain.account(1);
        BigInteger before = nonce(account);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<TransactionReceipt>> sends = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                // separate senders share the account's NonceManager
                TransactionSender sender = new TransactionSender(chain.connection(), account, TransactionOptions.defaults());
                sends.add(CompletableFuture.supplyAsync(() -> sender.sendEther(chain.account(2).getAddress(), BigInteger.ONE), pool));
            }
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            assertThat(sends).allSatisfy(f -> assertThat(f.get().isStatusOK()).isTrue());
        } finally {
            pool.shutdownNow();
        }
        assertThat(nonce(account)).isEqualTo(before.add(BigInteger.valueOf(16)));
    }

    @Test
    @DisplayName("after another process used the account, the sender resyncs its nonce and succeeds")
    void resyncsAfterNonceTooLow() throws Exception {
        Credentials account = chain.account(3);
        TransactionSender sender = new TransactionSender(chain.connection(), account, TransactionOptions.defaults());
        sender.sendEther(chain.account(4).getAddress(), BigInteger.ONE);
        // someone else spends the next nonce behind the allocator's back
        BigInteger next = nonce(account);
        RawTransaction raw = RawTransaction.createEtherTransaction(chain.deployment().chainId(), next, BigInteger.valueOf(21_000),
                chain.account(4).getAddress(), BigInteger.ONE, BigInteger.ONE, BigInteger.valueOf(10_000_000_000L));
        String signed = Numeric.toHexString(TransactionEncoder.signMessage(raw, chain.deployment().chainId(), account));
        chain.connection().send("external send", chain.connection().web3j().ethSendRawTransaction(signed));

        TransactionReceipt receipt = sender.sendEther(chain.account(4).getAddress(), BigInteger.TWO);

        assertThat(receipt.isStatusOK()).isTrue();
        assertThat(nonce(account)).isEqualTo(next.add(BigInteger.TWO));
    }

    @Test
    @DisplayName("a submission whose answer was lost is retried without sending the transaction twice")
    void lostAnswerIsNotSentTwice() throws Exception {
        AtomicInteger lost = new AtomicInteger();
        HttpServer proxy = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        HttpClient client = HttpClient.newHttpClient();
        proxy.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            try {
                HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create(chain.deployment().rpcUrl()))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                boolean drop = body.contains("eth_sendRawTransaction") && lost.getAndIncrement() == 0;
                byte[] bytes = (drop ? "gateway timeout" : answer.body()).getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(drop ? 504 : 200, bytes.length);
                exchange.getResponseBody().write(bytes);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(500, -1);
            } finally {
                exchange.close();
            }
        });
        proxy.start();
        String url = "http://127.0.0.1:" + proxy.getAddress().getPort();
        try (ChainConnection viaProxy = ChainConnection.connect(url)) {
            Credentials account = chain.account(8);
            String recipient = chain.account(9).getAddress();
            BigInteger balanceBefore = chain.connection().web3j().ethGetBalance(recipient, DefaultBlockParameterName.LATEST).send().getBalance();
            BigInteger nonceBefore = nonce(account);

            TransactionReceipt receipt = new TransactionSender(viaProxy, account, TransactionOptions.defaults())
                    .sendEther(recipient, BigInteger.valueOf(12345));

            assertThat(receipt.isStatusOK()).isTrue();
            assertThat(lost).as("the first answer was dropped and the submission retried").hasValueGreaterThan(1);
            assertThat(nonce(account)).isEqualTo(nonceBefore.add(BigInteger.ONE));
            assertThat(chain.connection().web3j().ethGetBalance(recipient, DefaultBlockParameterName.LATEST).send().getBalance())
                    .isEqualTo(balanceBefore.add(BigInteger.valueOf(12345)));
        } finally {
            proxy.stop(0);
            client.close();
        }
    }

    @Test
    @DisplayName("a receipt counts only after the configured confirmations")
    void waitsForConfirmations() throws Exception {
        Credentials account = chain.account(5);
        TransactionSender sender = new TransactionSender(chain.connection(), account,
                TransactionOptions.defaults().withConfirmations(3));
        long head = chain.connection().blockNumber().longValueExact();
        CompletableFuture<TransactionReceipt> send = CompletableFuture.supplyAsync(
                () -> sender.sendEther(chain.account(6).getAddress(), BigInteger.ONE));
        await().atMost(Duration.ofSeconds(20)).until(() -> chain.connection().blockNumber().longValueExact() > head);
        chain.mine(1);
        assertThat(send).isNotDone();
        chain.mine(1);
        assertThat(send.get(20, TimeUnit.SECONDS).getBlockNumber().longValueExact()).isEqualTo(head + 1);
    }

    @Test
    @DisplayName("without enough new blocks the wait ends with a timeout that names the transaction")
    void timesOutWithoutConfirmations() {
        TransactionSender sender = new TransactionSender(chain.connection(), chain.account(7),
                TransactionOptions.defaults().withConfirmations(5).withReceiptTimeout(Duration.ofMillis(500)));
        assertThatThrownBy(() -> sender.sendEther(chain.account(6).getAddress(), BigInteger.ONE))
                .isInstanceOf(TransactionTimeoutException.class)
                .hasMessageContaining("did not reach 5 confirmations");
    }
}
