package io.gridshare.node.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    @DisplayName("delays double from the initial delay up to the cap, each jittered within its upper half")
    void doublesWithJitterUpToTheCap() {
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
        long[] ceilings = {500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000};
        for (long ceiling : ceilings) {
            assertThat(backoff.next().toMillis()).isBetween(ceiling / 2, ceiling);
        }
    }

    @Test
    @DisplayName("reset starts again from the initial delay")
    void resetStartsOver() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));
        for (int i = 0; i < 20; i++) {
            backoff.next();
        }
        backoff.reset();
        assertThat(backoff.next().toMillis()).isBetween(50L, 100L);
    }

    @Test
    @DisplayName("many attempts never overflow past the cap")
    void neverOverflows() {
        Backoff backoff = new Backoff(Duration.ofMillis(1), Duration.ofMinutes(5));
        for (int i = 0; i < 200; i++) {
            assertThat(backoff.next()).isBetween(Duration.ZERO, Duration.ofMinutes(5));
        }
        assertThat(backoff.ceilingMillis(100)).isEqualTo(300_000);
    }
}
