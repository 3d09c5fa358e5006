package io.gridshare.gateway.local;

import io.gridshare.node.config.NodeConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One compute node of the local network: {@code io.gridshare.node.NodeMain} in its own JVM, dialing
 * every gateway member, serving stories260K.
 *
 * @param name "node-1", "node-2"
 * @param healthPort the node's /health, /ready and /metrics port
 * @param key the node key (registered in NodeRegistry, payee of the gateway's channel to it)
 * @param operator the operator account that registered the key and holds its stake
 */
public record NodeMember(String name, int healthPort, DevKey key, DevKey operator) {
    public static final String MAIN = "io.gridshare.node.NodeMain";

    public static NodeMember withFreePort(String name, DevKey key, DevKey operator) {
        return new NodeMember(name, LocalPorts.free(), key, operator);
    }

    /** The node's configuration, as the {@code gridshare.node.*} system properties NodeConfig reads. */
    public Map<String, String> properties(List<GatewayMember> gateways, LocalNetworkSettings settings, Path stateDir,
                                          io.gridshare.chain.Deployment deployment) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(NodeConfig.propertyName(NodeConfig.GATEWAYS), String.join(",", gateways.stream()
                .map(GatewayMember::grpcTarget).toList()));
        p.put(NodeConfig.propertyName(NodeConfig.KEYSTORE), key.keystore().toString());
        p.put(NodeConfig.propertyName(NodeConfig.KEYSTORE_PASSWORD_FILE), key.passphraseFile().toString());
        p.put(NodeConfig.propertyName(NodeConfig.MODELS_DIR), settings.modelsDir().toString());
        p.put(NodeConfig.propertyName(NodeConfig.MODELS), LocalModels.MODEL);
        p.put(NodeConfig.propertyName(NodeConfig.PRICE_PER_TOKEN), settings.nodePricePerToken().toString());
        p.put(NodeConfig.propertyName(NodeConfig.SLOTS), Integer.toString(settings.nodeSlots()));
        p.put(NodeConfig.propertyName(NodeConfig.BACKEND), settings.backend());
        p.put(NodeConfig.propertyName(NodeConfig.HEALTH_PORT), Integer.toString(healthPort));
        p.put("gridshare.node.settlement.dir", stateDir.resolve("settlement").resolve(name).toString());
        p.put("gridshare.node.chain.rpc.url", deployment.rpcUrl());
        p.put("gridshare.node.payment.channels", deployment.paymentChannels());
        p.put("gridshare.node.settle.interval.seconds", "2");
        p.put("gridshare.node.min.redeemable", "1");
        return p;
    }

    public ChildJvm start(Map<String, String> properties, Path logDir) {
        return ChildJvm.start(name, MAIN, properties, List.of(), logDir);
    }

    /** Waits until the node's {@code /ready} answers 200: a gateway has welcomed it. */
    public void awaitReady(ChildJvm process, Duration timeout) {
        process.awaitHttpOk(URI.create("http://127.0.0.1:" + healthPort + "/ready"), timeout, "linked to a gateway");
    }
}
