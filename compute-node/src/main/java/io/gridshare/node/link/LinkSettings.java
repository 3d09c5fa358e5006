package io.gridshare.node.link;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How a node dials its gateways. Defaults suit a production node; tests shorten the timings.
 *
 * @param tls whether to use TLS (plaintext otherwise, e.g. on loopback or inside a cluster)
 * @param trustCertificates PEM file of CA certificates to trust instead of the JDK's, or null
 * @param keepAliveTime HTTP/2 ping interval on an idle transport; the gateway must permit it
 *     ({@code permitKeepAliveTime} at most this)
 * @param keepAliveTimeout how long a ping may go unanswered before the link counts as dead
 * @param reconnectInitialDelay first delay after a dropped link
 * @param reconnectMaxDelay cap of the exponential backoff
 * @param handshakeTimeout how long the node waits for Challenge and then for Welcome
 * @param rejectedRetryDelay delay before retrying after NOT_REGISTERED or INSUFFICIENT_STAKE (the
 *     operator can fix both on-chain while the node runs)
 * @param creditTimeout how long a job may wait for Credit before the node ends it and frees its slot
 * @param maxUnsentTokensPerJob tokens of one job held while the link cannot send; the job pauses
 *     beyond that, so a slow link never makes the node buffer without bound
 * @param defaultHeartbeatInterval used when Welcome names no interval
 */
public record LinkSettings(boolean tls, Path trustCertificates, Duration keepAliveTime, Duration keepAliveTimeout,
                           Duration reconnectInitialDelay, Duration reconnectMaxDelay, Duration handshakeTimeout,
                           Duration rejectedRetryDelay, Duration creditTimeout, int maxUnsentTokensPerJob,
                           Duration defaultHeartbeatInterval) {

    public LinkSettings {
        Objects.requireNonNull(keepAliveTime, "keepAliveTime");
        Objects.requireNonNull(keepAliveTimeout, "keepAliveTimeout");
        Objects.requireNonNull(reconnectInitialDelay, "reconnectInitialDelay");
        Objects.requireNonNull(reconnectMaxDelay, "reconnectMaxDelay");
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        Objects.requireNonNull(rejectedRetryDelay, "rejectedRetryDelay");
        Objects.requireNonNull(creditTimeout, "creditTimeout");
        Objects.requireNonNull(defaultHeartbeatInterval, "defaultHeartbeatInterval");
        if (reconnectMaxDelay.compareTo(reconnectInitialDelay) < 0) {
            throw new IllegalArgumentException("reconnectMaxDelay " + reconnectMaxDelay
                    + " is shorter than reconnectInitialDelay " + reconnectInitialDelay);
        }
        if (maxUnsentTokensPerJob < 1) {
            throw new IllegalArgumentException("maxUnsentTokensPerJob must be at least 1, got " + maxUnsentTokensPerJob);
        }
    }

    /** Plaintext, 30 s keepalive, backoff 0.5 s doubling to 30 s, 10 s handshake, 60 s retry when unstaked. */
    public static LinkSettings defaults() {
        return new LinkSettings(false, null, Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofMillis(500),
                Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofMinutes(10), 256,
                Duration.ofSeconds(5));
    }

    public LinkSettings withTls(boolean tls, Path trustCertificates) {
        return new LinkSettings(tls, trustCertificates, keepAliveTime, keepAliveTimeout, reconnectInitialDelay,
                reconnectMaxDelay, handshakeTimeout, rejectedRetryDelay, creditTimeout, maxUnsentTokensPerJob,
                defaultHeartbeatInterval);
    }

    public LinkSettings withKeepAlive(Duration time, Duration timeout) {
        return new LinkSettings(tls, trustCertificates, time, timeout, reconnectInitialDelay, reconnectMaxDelay,
                handshakeTimeout, rejectedRetryDelay, creditTimeout, maxUnsentTokensPerJob, defaultHeartbeatInterval);
    }

    public LinkSettings withReconnect(Duration initial, Duration max, Duration rejectedRetry) {
        return new LinkSettings(tls, trustCertificates, keepAliveTime, keepAliveTimeout, initial, max,
                handshakeTimeout, rejectedRetry, creditTimeout, maxUnsentTokensPerJob, defaultHeartbeatInterval);
    }

    public LinkSettings withHandshakeTimeout(Duration timeout) {
        return new LinkSettings(tls, trustCertificates, keepAliveTime, keepAliveTimeout, reconnectInitialDelay,
                reconnectMaxDelay, timeout, rejectedRetryDelay, creditTimeout, maxUnsentTokensPerJob,
                defaultHeartbeatInterval);
    }

    public LinkSettings withMaxUnsentTokensPerJob(int tokens) {
        return new LinkSettings(tls, trustCertificates, keepAliveTime, keepAliveTimeout, reconnectInitialDelay,
                reconnectMaxDelay, handshakeTimeout, rejectedRetryDelay, creditTimeout, tokens,
                defaultHeartbeatInterval);
    }

    public LinkSettings withCreditTimeout(Duration timeout) {
        return new LinkSettings(tls, trustCertificates, keepAliveTime, keepAliveTimeout, reconnectInitialDelay,
                reconnectMaxDelay, handshakeTimeout, rejectedRetryDelay, timeout, maxUnsentTokensPerJob,
                defaultHeartbeatInterval);
    }
}
