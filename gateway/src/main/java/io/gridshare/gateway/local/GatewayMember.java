package io.gridshare.gateway.local;

import io.gridshare.chain.Deployment;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One gateway member of the local network: the real Helidon MP gateway app
 * ({@code io.helidon.microprofile.cdi.Main}) in its own JVM, configured with {@code -D} properties:
 * loopback HTTP, gRPC and Hazelcast ports, the TCP-IP member list of the whole cluster, the chain
 * and its key, the fee, the credit window and payments on.
 *
 * @param name "gateway-a", "gateway-b"
 * @param httpPort Helidon's HTTP port (OpenAI REST, /health, /metrics)
 * @param grpcPort the tenant and node gRPC port
 * @param hazelcastPort the Hazelcast member port
 * @param key the gateway's key (payee of tenant channels, signer of vouchers to nodes)
 */
public record GatewayMember(String name, int httpPort, int grpcPort, int hazelcastPort, DevKey key) {
    public static final String MAIN = "io.helidon.microprofile.cdi.Main";

    /** A member with fresh loopback ports. */
    public static GatewayMember withFreePorts(String name, DevKey key) {
        return new GatewayMember(name, LocalPorts.free(), LocalPorts.free(), LocalPorts.free(), key);
    }

    public String grpcTarget() {
        return "127.0.0.1:" + grpcPort;
    }

    public String httpBase() {
        return "http://127.0.0.1:" + httpPort;
    }

    /**
     * The member's configuration.
     *
     * @param cluster every member of the cluster (this one included)
     * @param clusterName the Hazelcast cluster name, unique per local network
     * @param nodeStakes node key → stake, for gateways that read stakes from their configuration
     */
    public Map<String, String> properties(List<GatewayMember> cluster, String clusterName, Deployment deployment,
                                          LocalNetworkSettings settings, Path stateDir, Map<String, String> nodeStakes) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("server.host", "127.0.0.1");
        // Helidon installs a JVM-wide deserialization allow-list that rejects everything else;
        // Hazelcast members exchange Java-serialized values (exceptions among them), which the
        // list must admit or the cluster never becomes safe (responses fail "filter status: REJECTED")
        p.put("helidon.serialFilter.pattern", "io.gridshare.**;com.hazelcast.**;java.**");
        p.put("server.port", Integer.toString(httpPort));
        p.put("gridshare.gateway.id", name);
        p.put("gridshare.grpc.host", "127.0.0.1");
        p.put("gridshare.grpc.port", Integer.toString(grpcPort));
        p.put("gridshare.grid.mode", "cluster");
        p.put("gridshare.grid.cluster-name", clusterName);
        p.put("gridshare.grid.bind-address", "127.0.0.1");
        p.put("gridshare.grid.port", Integer.toString(hazelcastPort));
        p.put("gridshare.grid.port-auto-increment", "false");
        p.put("gridshare.grid.members", String.join(",", cluster.stream()
                .map(m -> "127.0.0.1:" + m.hazelcastPort()).toList()));
        p.put("gridshare.grid.join-wait-ms", "0");
        p.put("gridshare.link.heartbeat-interval-ms", Long.toString(settings.heartbeat().toMillis()));
        p.put("gridshare.link.expiry-ms", Long.toString(settings.linkExpiry().toMillis()));
        p.put("gridshare.chain.id", Long.toString(deployment.chainId()));
        p.put("gridshare.chain.rpc-url", deployment.rpcUrl());
        p.put("gridshare.chain.chain-id", Long.toString(deployment.chainId()));
        p.put("gridshare.chain.grid-token", deployment.gridToken());
        p.put("gridshare.chain.node-registry", deployment.nodeRegistry());
        p.put("gridshare.chain.payment-channels", deployment.paymentChannels());
        p.put("gridshare.chain.keystore", key.keystore().toString());
        p.put("gridshare.chain.passphrase-file", key.passphraseFile().toString());
        p.put("gridshare.gateway.fee-per-token", settings.gatewayFeePerToken().toString());
        p.put("gridshare.payment.enabled", "true");
        p.put("gridshare.payment.credit-window-tokens", Integer.toString(settings.creditWindowTokens()));
        p.put("gridshare.gateway.payment-timeout", settings.paymentTimeout().toString());
        p.put("gridshare.gateway.keystore", key.keystore().toString());
        p.put("gridshare.gateway.keystore-password-file", key.passphraseFile().toString());
        p.put("gridshare.payment.settlement-dir", stateDir.resolve("settlement").resolve(name).toString());
        // redeem every voucher within seconds, so the demo and the tests see the money move
        p.put("gridshare.payment.settle-interval", "PT2S");
        p.put("gridshare.payment.min-redeemable", "1");
        // stakes: admitted by their NodeRegistry stake on the local chain, as in production; the
        // in-memory source stays available for runs without a chain view
        String stakeSource = System.getProperty("gridshare.local.stake-source", "chain");
        p.put("gridshare.stake.source", stakeSource);
        if (stakeSource.equals("in-memory")) {
            p.put("gridshare.stake.minimum", settings.nodeStake().toString());
            p.put("gridshare.stake.in-memory.stakes", String.join(",", nodeStakes.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).toList()));
        }
        return p;
    }

    /** Starts the member's JVM (it joins the others as they come up). */
    public ChildJvm start(Map<String, String> properties, Path logDir) {
        return ChildJvm.start(name, MAIN, properties, List.of(), logDir);
    }

    /**
     * Waits until {@code /health/ready} answers 200 (the Hazelcast cluster is safe and the chain
     * reachable).
     *
     * @throws IllegalStateException with the member's log when it exits or is not ready in time
     */
    public void awaitReady(ChildJvm process, Duration timeout) {
        process.awaitHttpOk(URI.create(httpBase() + "/health/ready"), timeout, "ready");
    }
}
