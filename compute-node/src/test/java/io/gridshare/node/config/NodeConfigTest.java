package io.gridshare.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gridshare.node.engine.EngineConfig;
import io.gridshare.node.link.GatewayAddress;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.WalletUtils;

class NodeConfigTest {

    @TempDir
    Path dir;

    private Map<String, String> minimal() {
        Map<String, String> env = new HashMap<>();
        env.put("GRIDSHARE_NODE_GATEWAYS", "gw1.example.org:9090, 10.0.0.2:9091");
        env.put("GRIDSHARE_NODE_KEYSTORE", "/etc/gridshare/node-key.json");
        env.put("GRIDSHARE_NODE_KEYSTORE_PASSWORD", "secret");
        env.put("GRIDSHARE_NODE_MODELS", "stories260K");
        env.put("GRIDSHARE_NODE_PRICE_PER_TOKEN", "1000");
        return env;
    }

    @Test
    @DisplayName("a minimal configuration gets the documented defaults")
    void minimalConfigurationGetsDefaults() {
        NodeConfig c = NodeConfig.load(minimal()::get);

        assertThat(c.gateways()).containsExactly(new GatewayAddress("gw1.example.org", 9090),
                new GatewayAddress("10.0.0.2", 9091));
        assertThat(c.keystore()).isEqualTo(Path.of("/etc/gridshare/node-key.json"));
        assertThat(c.models()).containsExactly("stories260K");
        assertThat(c.pricePerToken()).isEqualTo(BigInteger.valueOf(1000));
        assertThat(c.slots()).isEqualTo(4);
        assertThat(c.backend()).isEqualTo(EngineConfig.Backend.AUTO);
        assertThat(c.healthPort()).isEqualTo(8081);
        assertThat(c.modelsDir()).isEqualTo(Path.of("models"));
        assertThat(c.link().tls()).isFalse();
        assertThat(c.toString()).doesNotContain("secret");
    }

    @Test
    @DisplayName("every bad value is reported at once, each naming its setting and what to give instead")
    void badValuesAreAllReported() {
        Map<String, String> env = minimal();
        env.put("GRIDSHARE_NODE_GATEWAYS", "gw1.example.org, gw2:notaport");
        env.put("GRIDSHARE_NODE_PRICE_PER_TOKEN", "1.5");
        env.put("GRIDSHARE_NODE_SLOTS", "0");
        env.put("GRIDSHARE_NODE_BACKEND", "opencl");
        env.put("GRIDSHARE_NODE_HEALTH_PORT", "http");
        env.put("GRIDSHARE_NODE_TLS", "maybe");

        assertThatThrownBy(() -> NodeConfig.load(env::get))
                .isInstanceOf(NodeConfigException.class)
                .satisfies(e -> assertThat(((NodeConfigException) e).problems()).hasSize(7))
                .hasMessageContaining("GRIDSHARE_NODE_GATEWAYS: 'gw1.example.org' is not host:port")
                .hasMessageContaining("port 'notaport' is not a number")
                .hasMessageContaining("GRIDSHARE_NODE_PRICE_PER_TOKEN: '1.5' is not a whole number of base units")
                .hasMessageContaining("GRIDSHARE_NODE_SLOTS: 0 is out of range; give 1..1024")
                .hasMessageContaining("GRIDSHARE_NODE_BACKEND: 'opencl' is not a backend; give auto, cuda or cpu")
                .hasMessageContaining("GRIDSHARE_NODE_HEALTH_PORT: 'http' is not a whole number")
                .hasMessageContaining("GRIDSHARE_NODE_TLS: 'maybe' is not true or false");
    }

    @Test
    @DisplayName("missing required settings are named with an example of what to set")
    void missingSettingsAreNamed() {
        assertThatThrownBy(() -> NodeConfig.load(name -> null))
                .isInstanceOf(NodeConfigException.class)
                .hasMessageContaining("GRIDSHARE_NODE_GATEWAYS is not set")
                .hasMessageContaining("GRIDSHARE_NODE_KEYSTORE is not set")
                .hasMessageContaining("neither GRIDSHARE_NODE_KEYSTORE_PASSWORD_FILE nor GRIDSHARE_NODE_KEYSTORE_PASSWORD")
                .hasMessageContaining("GRIDSHARE_NODE_PRICE_PER_TOKEN is not set")
                .hasMessageNotContaining("GRIDSHARE_NODE_MODELS");
    }

    @Test
    @DisplayName("a price beyond uint256 is refused")
    void priceBeyondUint256IsRefused() {
        Map<String, String> env = minimal();
        env.put("GRIDSHARE_NODE_PRICE_PER_TOKEN", BigInteger.TWO.pow(256).toString());
        assertThatThrownBy(() -> NodeConfig.load(env::get)).hasMessageContaining("does not fit in uint256");
    }

    @Test
    @DisplayName("the password file wins over the variable and loses its trailing newline")
    void passwordFileIsRead() throws Exception {
        Path file = dir.resolve("password");
        Files.writeString(file, "from-file\n");
        Map<String, String> env = minimal();
        env.put("GRIDSHARE_NODE_KEYSTORE_PASSWORD_FILE", file.toString());
        assertThat(NodeConfig.load(env::get).keystorePassword()).isEqualTo("from-file");
    }

    @Test
    @DisplayName("settings come from system properties, then the environment, then the config file")
    void sourcesHaveAPrecedence() throws Exception {
        Path file = dir.resolve("node.properties");
        Files.writeString(file, "gridshare.node.slots=8\nGRIDSHARE_NODE_HEALTH_PORT=9000\ngridshare.node.models=fromfile\n");
        Map<String, String> env = minimal();
        env.put("GRIDSHARE_NODE_CONFIG_FILE", file.toString());
        env.remove("GRIDSHARE_NODE_MODELS");
        env.put("GRIDSHARE_NODE_HEALTH_PORT", "9100");

        NodeConfig c = NodeConfig.load(env::get);

        assertThat(c.slots()).isEqualTo(8);
        assertThat(c.healthPort()).isEqualTo(9100);
        assertThat(c.models()).containsExactly("fromfile");
        assertThat(NodeConfig.propertyName("GRIDSHARE_NODE_HEALTH_PORT")).isEqualTo("gridshare.node.health.port");
    }

    @Test
    @DisplayName("the node key is decrypted from a JSON keystore; a wrong password says which setting to check")
    void keyIsLoadedFromTheKeystore() throws Exception {
        String walletFile = WalletUtils.generateLightNewWalletFile("right", dir.toFile());
        Map<String, String> env = minimal();
        env.put("GRIDSHARE_NODE_KEYSTORE", dir.resolve(walletFile).toString());
        env.put("GRIDSHARE_NODE_KEYSTORE_PASSWORD", "right");
        assertThat(NodeConfig.load(env::get).loadKey().address()).startsWith("0x").hasSize(42);

        env.put("GRIDSHARE_NODE_KEYSTORE_PASSWORD", "wrong");
        assertThatThrownBy(() -> NodeConfig.load(env::get).loadKey())
                .isInstanceOf(NodeConfigException.class)
                .hasMessageContaining("cannot decrypt")
                .hasMessageContaining("GRIDSHARE_NODE_KEYSTORE_PASSWORD_FILE");

        env.put("GRIDSHARE_NODE_KEYSTORE", dir.resolve("missing.json").toString());
        assertThatThrownBy(() -> NodeConfig.load(env::get).loadKey())
                .hasMessageContaining("no file at");
    }
}
