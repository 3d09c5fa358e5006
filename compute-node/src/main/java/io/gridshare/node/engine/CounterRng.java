package io.gridshare.node.engine;

/**
 * Counter-based randomness: the number for output token {@code index} of a job with
 * {@code seed} is a pure function of the two, so a job resumed elsewhere draws exactly the
 * numbers the original would have. Two rounds of the SplitMix64 finaliser over the seed and the
 * index (distinct seeds and indices land far apart in the 64-bit space before mixing).
 */
public final class CounterRng {

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private CounterRng() {}

    /** 64 random bits for {@code (seed, index)}. */
    public static long bits(long seed, long index) {
        return mix(mix(seed ^ 0x5851F42D4C957F2DL) + (index + 1) * GOLDEN);
    }

    /** A float uniform in {@code [0, 1)} for {@code (seed, index)} (24 random bits). */
    public static float uniform(long seed, long index) {
        return (bits(seed, index) >>> 40) * 0x1.0p-24f;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
