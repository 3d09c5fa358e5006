package io.gridshare.node.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class NodeMetricsTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final NodeMetrics metrics = new NodeMetrics(now::get);

    @Test
    @DisplayName("the recent token rate averages the last complete seconds and forgets older ones")
    void recentRateAveragesCompleteSeconds() {
        for (int s = 0; s < 9; s++) {
            metrics.tokensProduced(90);
            now.addAndGet(1_000);
        }
        metrics.tokensProduced(5_000); // the current second is not complete: not counted yet

        assertThat(metrics.recentTokensPerSecond()).isEqualTo(90f);
        assertThat(metrics.tokens()).isEqualTo(9 * 90 + 5_000);

        now.addAndGet(60_000);
        assertThat(metrics.recentTokensPerSecond()).isZero();
    }

    @Test
    @DisplayName("a bucket reused after the window starts its count afresh")
    void reusedBucketStartsAfresh() {
        metrics.tokensProduced(1_000);
        now.addAndGet(10_000); // same bucket, ten seconds later
        metrics.tokensProduced(10);
        now.addAndGet(1_000);

        assertThat(metrics.recentTokensPerSecond()).isEqualTo(10 / 9f);
    }
}
