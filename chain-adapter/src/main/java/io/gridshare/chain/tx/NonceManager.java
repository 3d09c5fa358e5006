package io.gridshare.chain.tx;

import java.math.BigInteger;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The in-process nonce allocator of one account on one chain. Every sender of that account in this
 * JVM shares the same instance ({@link #of}; keyed by endpoint too, because two local chains with
 * the same id and dev accounts are different chains), and signing plus submitting a transaction happens
 * under its lock, so concurrent transactions get consecutive nonces and a failed submission leaves
 * no gap. The next nonce is read from the node ({@code pending} count) the first time and again
 * after {@link #resync()} (e.g. after "nonce too low", when another process used the account).
 */
public final class NonceManager {
    private static final ConcurrentMap<String, NonceManager> MANAGERS = new ConcurrentHashMap<>();

    private final ReentrantLock lock = new ReentrantLock();
    private BigInteger next;

    private NonceManager() {
    }

    /** The shared allocator for this account on this chain, reached through {@code rpcUrl}. */
    public static NonceManager of(String rpcUrl, long chainId, String address) {
        return MANAGERS.computeIfAbsent(rpcUrl + "|" + chainId + "|" + address.toLowerCase(Locale.ROOT), k -> new NonceManager());
    }

    /** Forgets every allocator of an endpoint (a local chain was restarted on it). */
    public static void forgetEndpoint(String rpcUrl) {
        MANAGERS.keySet().removeIf(key -> key.startsWith(rpcUrl + "|"));
    }

    /** Work done while holding the account's nonce: sign and submit, nothing slow. */
    @FunctionalInterface
    public interface Submission<T> {
        /** Submits with this nonce; returning normally means the node accepted it. */
        T submit(BigInteger nonce);
    }

    /**
     * Runs {@code submission} with the next nonce under the account's lock; on success the nonce is
     * consumed, on failure it is reused by the next caller.
     *
     * @param pendingCount reads the account's pending transaction count from the node
     */
    public <T> T withNextNonce(Supplier<BigInteger> pendingCount, Submission<T> submission) {
        lock.lock();
        try {
            if (next == null) {
                next = pendingCount.get();
            }
            T result = submission.submit(next);
            next = next.add(BigInteger.ONE);
            return result;
        } finally {
            lock.unlock();
        }
    }

    /** Forgets the local count; the next submission reads it from the node again. */
    public void resync() {
        lock.lock();
        try {
            next = null;
        } finally {
            lock.unlock();
        }
    }
}
