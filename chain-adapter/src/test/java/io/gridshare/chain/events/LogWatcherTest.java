package io.gridshare.chain.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridshare.chain.contracts.ChannelEvents;
import io.gridshare.chain.contracts.GridshareContracts;
import io.gridshare.chain.local.LocalChain;
import io.gridshare.chain.tx.TransactionOptions;
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
import org.web3j.protocol.core.methods.response.Log;

class LogWatcherTest {
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

    /** Records what it is told. */
    private static final class Recorder implements LogListener {
        final List<Log> logs = new ArrayList<>();
        final List<Long> reorgs = new ArrayList<>();

        @Override
        public void onLog(Log log) {
            logs.add(log);
        }

        @Override
        public void onReorg(long fromBlock) {
            reorgs.add(fromBlock);
        }
    }

    private static BigInteger openChannel(Credentials tenant, BigInteger deposit) {
        GridshareContracts asTenant = contracts.as(tenant);
        asTenant.gridToken().approve(chain.deployment().paymentChannels(), deposit);
        return asTenant.paymentChannels().open(chain.account(5).getAddress(), chain.deployment().gridToken(), deposit,
                tenant.getAddress());
    }

    private LogWatcher watcher(Path cursorFile, Recorder recorder, long start) {
        return new LogWatcher(chain.connection(), List.of(chain.deployment().paymentChannels()),
                List.of(ChannelEvents.CHANNEL_OPENED_TOPIC), LogCursor.open(cursorFile, start),
                new LogWatcher.Options(3, 16), recorder);
    }

    @Test
    @DisplayName("logs are delivered once across polls and restarts, resuming from the stored cursor")
    void resumesFromCursor(@TempDir Path dir) {
        long start = chain.connection().blockNumber().longValueExact() + 1;
        Path cursorFile = dir.resolve("cursor.json");
        Recorder recorder = new Recorder();
        BigInteger first = openChannel(chain.account(1), BigInteger.TEN);
        while (watcher(cursorFile, recorder, start).poll() >= 0
                && LogCursor.open(cursorFile, start).nextBlock() <= chain.connection().blockNumber().longValueExact()) {
            // small block ranges: several polls, each with a new watcher reading the saved cursor
        }
        BigInteger second = openChannel(chain.account(1), BigInteger.TEN);
        Recorder afterRestart = new Recorder();
        LogWatcher restarted = watcher(cursorFile, afterRestart, start);
        while (restarted.poll() > 0 || restarted.cursor().nextBlock() <= chain.connection().blockNumber().longValueExact()) {
            // drain
        }

        assertThat(recorder.logs).extracting(l -> new BigInteger(l.getTopics().get(1).substring(2), 16)).containsExactly(first);
        assertThat(afterRestart.logs).extracting(l -> new BigInteger(l.getTopics().get(1).substring(2), 16)).containsExactly(second);
    }

    @Test
    @DisplayName("after a reorg the watcher rewinds and delivers the logs of the new chain")
    void survivesReorg(@TempDir Path dir) {
        Credentials tenant = chain.account(2);
        contracts.as(tenant).gridToken().approve(chain.deployment().paymentChannels(), BigInteger.valueOf(1_000));
        long start = chain.connection().blockNumber().longValueExact() + 1;
        Recorder recorder = new Recorder();
        LogWatcher watcher = watcher(dir.resolve("cursor.json"), recorder, start);
        String snapshot = chain.snapshot();
        BigInteger orphaned = contracts.as(tenant).paymentChannels().open(chain.account(5).getAddress(),
                chain.deployment().gridToken(), BigInteger.valueOf(100), tenant.getAddress());
        watcher.poll();
        assertThat(recorder.logs).hasSize(1);

        chain.revert(snapshot);
        chain.mine(1);
        BigInteger canonical = contracts.as(tenant).paymentChannels().open(chain.account(6).getAddress(),
                chain.deployment().gridToken(), BigInteger.valueOf(200), tenant.getAddress());
        watcher.poll();
        watcher.poll();

        assertThat(recorder.reorgs).containsExactly(start);
        assertThat(recorder.logs).extracting(l -> l.getTopics().get(3).substring(26))
                .containsExactly(chain.account(5).getAddress().substring(2).toLowerCase(java.util.Locale.ROOT),
                        chain.account(6).getAddress().substring(2).toLowerCase(java.util.Locale.ROOT));
        assertThat(orphaned).isNotNull();
        assertThat(canonical).isNotNull();
    }
}
