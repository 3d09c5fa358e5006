package io.gridshare.node.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {

    private static final float[] LOGITS = {1f, 3f, 2f, 0.5f, 3f - 1e-3f, -2f};

    private static double softmax(float[] logits, int i, float temperature) {
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l / temperature);
        }
        return Math.exp(logits[i] / temperature) / sum;
    }

    @Test
    void greedyPicksTheLargestLogitAndReportsItsLogProbability() {
        Sampler s = new Sampler(LOGITS.length);
        assertThat(s.sample(LOGITS, SamplingParams.greedy(), 0)).isEqualTo(1);
        assertThat((double) s.lastLogProbability()).isCloseTo(Math.log(softmax(LOGITS, 1, 1f)), within(1e-5));
    }

    @Test
    void randomNumbersArePureFunctionsOfSeedAndIndex() {
        assertThat(CounterRng.bits(7, 3)).isEqualTo(CounterRng.bits(7, 3));
        Set<Long> seen = new HashSet<>();
        for (long seed = 0; seed < 50; seed++) {
            for (long index = 0; index < 50; index++) {
                seen.add(CounterRng.bits(seed, index));
                float u = CounterRng.uniform(seed, index);
                assertThat(u).isGreaterThanOrEqualTo(0f).isLessThan(1f);
            }
        }
        assertThat(seen).hasSize(2500);
    }

    @Test
    void temperatureSamplingFollowsTheSoftmaxDistribution() {
        Sampler s = new Sampler(LOGITS.length);
        SamplingParams params = new SamplingParams(1.5f, 1f, 42);
        int draws = 40_000;
        int[] counts = new int[LOGITS.length];
        for (int i = 0; i < draws; i++) {
            counts[s.sample(LOGITS, params, i)]++;
        }
        for (int i = 0; i < LOGITS.length; i++) {
            assertThat(counts[i] / (double) draws).as("token %d", i).isCloseTo(softmax(LOGITS, i, 1.5f), within(0.01));
        }
    }

    @Test
    void topPSamplesOnlyFromTheNucleus() {
        Sampler s = new Sampler(LOGITS.length);
        // at temperature 1: p(1) ~ 0.36, p(4) ~ 0.36, p(2) ~ 0.13 -> nucleus for 0.7 is {1, 4}
        SamplingParams params = new SamplingParams(1f, 0.7f, 5);
        Set<Integer> drawn = new HashSet<>();
        for (int i = 0; i < 5_000; i++) {
            drawn.add(s.sample(LOGITS, params, i));
        }
        assertThat(drawn).containsExactlyInAnyOrder(1, 4);
    }

    @Test
    void sampleDoesNotChangeTheLogits() {
        float[] logits = LOGITS.clone();
        new Sampler(logits.length).sample(logits, new SamplingParams(0.7f, 0.9f, 1), 0);
        assertThat(logits).containsExactly(LOGITS);
    }
}
