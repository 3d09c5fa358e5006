package io.gridshare.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChannelLedgerTest {
    private static final ChannelKey CHANNEL = ScriptedGateway.testChannel(3);

    @Test
    void aFreshLedgerHasSignedNothing(@TempDir Path dir) {
        assertThat(new FileChannelLedger(dir).highestSigned(CHANNEL)).isZero();
        assertThat(new InMemoryChannelLedger().highestSigned(CHANNEL)).isZero();
    }

    @Test
    void theFileLedgerKeepsOneFilePerChannelWithTheHighestAmount(@TempDir Path dir) throws Exception {
        FileChannelLedger ledger = new FileChannelLedger(dir);
        ledger.recordSigned(CHANNEL, BigInteger.valueOf(10));
        ledger.recordSigned(CHANNEL, BigInteger.valueOf(25));
        ledger.recordSigned(ScriptedGateway.testChannel(4), BigInteger.ONE);

        assertThat(new FileChannelLedger(dir).highestSigned(CHANNEL)).isEqualTo(BigInteger.valueOf(25));
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(CHANNEL.fileName(), ScriptedGateway.testChannel(4).fileName());
        }
    }

    @Test
    void neitherLedgerRecordsAnAmountThatIsNotHigher(@TempDir Path dir) {
        for (ChannelLedger ledger : new ChannelLedger[] {new FileChannelLedger(dir), new InMemoryChannelLedger()}) {
            ledger.recordSigned(CHANNEL, BigInteger.TEN);
            assertThatThrownBy(() -> ledger.recordSigned(CHANNEL, BigInteger.TEN))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not above the 10 already signed");
            assertThat(ledger.highestSigned(CHANNEL)).isEqualTo(BigInteger.TEN);
        }
    }
}
