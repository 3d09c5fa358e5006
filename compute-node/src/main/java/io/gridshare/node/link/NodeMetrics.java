package io.gridshare.node.link;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Counters every link of the node adds to: jobs by outcome, tokens, vouchers, connects and
 * rejections per gateway; and the recent token rate that heartbeats report.
 */
public final class NodeMetrics {

    /** How a job of this node ended, from the link's point of view. */
    public enum JobResult { DONE, CANCELLED, FAILED, REFUSED }

    private static final int RATE_WINDOW_SECONDS = 10;

    private final Map<JobResult, LongAdder> jobs = new ConcurrentHashMap<>();
    private final LongAdder jobsStarted = new LongAdder();
    private final LongAdder tokens = new LongAdder();
    private final LongAdder vouchers = new LongAdder();
    private final Map<String, LongAdder> connects = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> rejections = new ConcurrentHashMap<>();
    // one bucket per second over the rate window; slot = second % window, stamped with the second
    private final AtomicLongArray bucketSecond = new AtomicLongArray(RATE_WINDOW_SECONDS);
    private final AtomicLongArray bucketCount = new AtomicLongArray(RATE_WINDOW_SECONDS);
    private final LongSupplier clockMillis;

    public NodeMetrics() {
        this(System::currentTimeMillis);
    }

    NodeMetrics(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    void jobStarted() {
        jobsStarted.increment();
    }

    void jobEnded(JobResult result) {
        jobs.computeIfAbsent(result, r -> new LongAdder()).increment();
    }

    void tokensProduced(int n) {
        tokens.add(n);
        long second = clockMillis.getAsLong() / 1000;
        int i = (int) (second % RATE_WINDOW_SECONDS);
        while (true) {
            long stamped = bucketSecond.get(i);
            if (stamped == second) {
                bucketCount.addAndGet(i, n);
                return;
            }
            // first token of a new second in this bucket: restart its count
            if (bucketSecond.compareAndSet(i, stamped, second)) {
                bucketCount.set(i, n);
                return;
            }
        }
    }

    void voucherReceived() {
        vouchers.increment();
    }

    void connected(String gateway) {
        connects.computeIfAbsent(gateway, g -> new LongAdder()).increment();
    }

    void rejected(String gateway, String reason) {
        rejections.computeIfAbsent(gateway + "\u0000" + reason, g -> new LongAdder()).increment();
    }

    /** Tokens per second over the last complete seconds of the window (the current second excluded). */
    public float recentTokensPerSecond() {
        long now = clockMillis.getAsLong() / 1000;
        long sum = 0;
        for (int i = 0; i < RATE_WINDOW_SECONDS; i++) {
            long s = bucketSecond.get(i);
            if (s < now && s >= now - (RATE_WINDOW_SECONDS - 1)) {
                sum += bucketCount.get(i);
            }
        }
        return sum / (float) (RATE_WINDOW_SECONDS - 1);
    }

    public long jobsStarted() {
        return jobsStarted.sum();
    }

    public long jobs(JobResult result) {
        LongAdder a = jobs.get(result);
        return a == null ? 0 : a.sum();
    }

    public long tokens() {
        return tokens.sum();
    }

    public long vouchers() {
        return vouchers.sum();
    }

    /** Successful handshakes per gateway ({@code host:port}). */
    public Map<String, Long> connects() {
        Map<String, Long> out = new java.util.TreeMap<>();
        connects.forEach((g, a) -> out.put(g, a.sum()));
        return out;
    }

    /** Rejections per gateway and reason, keyed {@code gateway + '\0' + reason}. */
    public Map<String, Long> rejections() {
        Map<String, Long> out = new java.util.TreeMap<>();
        rejections.forEach((g, a) -> out.put(g, a.sum()));
        return out;
    }
}
