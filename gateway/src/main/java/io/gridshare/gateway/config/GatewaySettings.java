package io.gridshare.gateway.config;

import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import org.eclipse.microprofile.config.Config;

/**
 * Every tunable of the gateway's job and link services, read once from MicroProfile Config (so each
 * has an environment-variable form too, e.g. {@code GRIDSHARE_GRPC_PORT}).
 *
 * @param gatewayId this gateway's id, sent in every Challenge and Welcome
 * @param chainId the chain the node's signature is bound to
 * @param grpcHost interface the gRPC server binds
 * @param grpcPort gRPC port; 0 picks a free one (tests)
 * @param maxInboundMessageBytes largest gRPC message accepted from tenants and nodes
 * @param maxPromptChars longest prompt accepted
 * @param maxTokensLimit most tokens one job may ask for
 * @param linkCreditTokens tokens a node may stream ahead of the tenant for one job; also the bound of
 *     the gateway's per-job buffer
 * @param maxTokensPerMessage most tokens the gateway batches into one Tokens message for a slow tenant
 * @param maxFailovers how often one job may move to another node
 * @param heartbeatInterval how often nodes heartbeat
 * @param linkExpiry a node silent for this long is taken out of the grid and its jobs fail over
 * @param handshakeTimeout a node that does not answer the Challenge within this time is dropped
 * @param feePerToken the gateway's fee per token, added to the node's price (base units)
 * @param creditWindowTokens tokens streamed ahead of the latest voucher (issue 5; reported in Accepted)
 */
public record GatewaySettings(String gatewayId, long chainId, String grpcHost, int grpcPort,
                              int maxInboundMessageBytes, int maxPromptChars, int maxTokensLimit,
                              int linkCreditTokens, int maxTokensPerMessage, int maxFailovers,
                              Duration heartbeatInterval, Duration linkExpiry, Duration handshakeTimeout,
                              java.math.BigInteger feePerToken, int creditWindowTokens) {

    public GatewaySettings {
        Objects.requireNonNull(gatewayId, "gatewayId");
        if (linkCreditTokens < 1) {
            throw new IllegalArgumentException("gridshare.job.link-credit-tokens must be at least 1, was "
                    + linkCreditTokens);
        }
        if (maxTokensPerMessage < 1) {
            throw new IllegalArgumentException("gridshare.job.max-tokens-per-message must be at least 1");
        }
    }

    /** Defaults suitable for tests: ephemeral port, short expiry. */
    public static GatewaySettings defaults() {
        return new GatewaySettings("gateway-" + UUID.randomUUID().toString().substring(0, 8), 31337L,
                "127.0.0.1", 0, 1 << 20, 32_768, 4_096, 32, 64, 3, Duration.ofSeconds(1), Duration.ofSeconds(5),
                Duration.ofSeconds(10), java.math.BigInteger.ZERO, 64);
    }

    public static GatewaySettings from(Config c) {
        GatewaySettings d = defaults();
        return new GatewaySettings(
                c.getOptionalValue("gridshare.gateway.id", String.class).orElse(d.gatewayId()),
                c.getOptionalValue("gridshare.chain.id", Long.class).orElse(d.chainId()),
                c.getOptionalValue("gridshare.grpc.host", String.class).orElse("0.0.0.0"),
                c.getOptionalValue("gridshare.grpc.port", Integer.class).orElse(9090),
                c.getOptionalValue("gridshare.grpc.max-inbound-message-bytes", Integer.class)
                        .orElse(d.maxInboundMessageBytes()),
                c.getOptionalValue("gridshare.job.max-prompt-chars", Integer.class).orElse(d.maxPromptChars()),
                c.getOptionalValue("gridshare.job.max-tokens-limit", Integer.class).orElse(d.maxTokensLimit()),
                c.getOptionalValue("gridshare.job.link-credit-tokens", Integer.class).orElse(d.linkCreditTokens()),
                c.getOptionalValue("gridshare.job.max-tokens-per-message", Integer.class)
                        .orElse(d.maxTokensPerMessage()),
                c.getOptionalValue("gridshare.job.max-failovers", Integer.class).orElse(d.maxFailovers()),
                Duration.ofMillis(c.getOptionalValue("gridshare.link.heartbeat-interval-ms", Long.class)
                        .orElse(d.heartbeatInterval().toMillis())),
                Duration.ofMillis(c.getOptionalValue("gridshare.link.expiry-ms", Long.class)
                        .orElse(d.linkExpiry().toMillis())),
                Duration.ofMillis(c.getOptionalValue("gridshare.link.handshake-timeout-ms", Long.class)
                        .orElse(d.handshakeTimeout().toMillis())),
                new java.math.BigInteger(c.getOptionalValue("gridshare.gateway.fee-per-token", String.class)
                        .orElse("0")),
                c.getOptionalValue("gridshare.payment.credit-window-tokens", Integer.class)
                        .orElse(d.creditWindowTokens()));
    }

    public GatewaySettings withGrpcPort(int port) {
        return new GatewaySettings(gatewayId, chainId, grpcHost, port, maxInboundMessageBytes, maxPromptChars,
                maxTokensLimit, linkCreditTokens, maxTokensPerMessage, maxFailovers, heartbeatInterval, linkExpiry,
                handshakeTimeout, feePerToken, creditWindowTokens);
    }

    public GatewaySettings withLinkCreditTokens(int credit) {
        return new GatewaySettings(gatewayId, chainId, grpcHost, grpcPort, maxInboundMessageBytes, maxPromptChars,
                maxTokensLimit, credit, maxTokensPerMessage, maxFailovers, heartbeatInterval, linkExpiry,
                handshakeTimeout, feePerToken, creditWindowTokens);
    }

    public GatewaySettings withLinkExpiry(Duration heartbeat, Duration expiry) {
        return new GatewaySettings(gatewayId, chainId, grpcHost, grpcPort, maxInboundMessageBytes, maxPromptChars,
                maxTokensLimit, linkCreditTokens, maxTokensPerMessage, maxFailovers, heartbeat, expiry,
                handshakeTimeout, feePerToken, creditWindowTokens);
    }
}
