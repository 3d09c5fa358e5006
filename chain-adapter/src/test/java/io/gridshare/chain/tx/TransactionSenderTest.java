package io.gridshare.chain.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gridshare.chain.TransactionTimeoutException;
import io.gridshare.chain.local.LocalChain;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
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
