package io.gridshare.chain.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gridshare.chain.ChainException;
import io.gridshare.chain.ChainSettings;
import io.gridshare.chain.Deployment;
import io.gridshare.chain.contracts.ContractArtifact;
import io.gridshare.chain.contracts.GridshareContracts;
import io.gridshare.chain.contracts.generated.NodeRegistry;
import io.gridshare.chain.contracts.generated.PaymentChannels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalChainTest {
    private static LocalChain chain;

    @BeforeAll
    static void startChain() {
        chain = LocalChain.start();
    }

    @AfterAll
    static void stopChain() {
        chain.close();
    }

    @Test
    @DisplayName("the deployed contracts carry the configured parameters")
    void deploysWithOptions() {
        GridshareContracts contracts = GridshareContracts.readOnly(chain.connection(), chain.deployment());
        LocalChain.Options options = chain.options();
        assertThat(contracts.paymentChannels().feeBps()).isEqualTo(options.feeBps());
        assertThat(contracts.paymentChannels().challengePeriod()).isEqualTo(options.challengePeriodSeconds());
        assertThat(contracts.paymentChannels().treasury()).isEqualToIgnoringCase(chain.account(options.treasuryAccount()).getAddress());
        assertThat(contracts.nodeRegistry().minStake()).isEqualTo(options.minStake());
        assertThat(contracts.gridToken().balanceOf(chain.account(9).getAddress())).isEqualTo(options.gridPerAccount());
    }

    @Test
    @DisplayName("the generated wrappers and the packed artifacts come from the same compilation")
    void wrappersMatchArtifacts() {
        assertThat("0x" + PaymentChannels.BINARY).isEqualTo(ContractArtifact.fromClasspath(ContractArtifact.PAYMENT_CHANNELS).bytecode());
        assertThat("0x" + NodeRegistry.BINARY).isEqualTo(ContractArtifact.fromClasspath(ContractArtifact.NODE_REGISTRY).bytecode());
    }

    @Test
    @DisplayName("settings from a deployment file connect read-only and check the chain id")
    void settingsFromDeploymentFile(@TempDir Path dir) {
        Path file = dir.resolve("deployment.json");
        chain.deployment().write(file);
        assertThat(Deployment.read(file)).isEqualTo(chain.deployment());

        GridshareContracts contracts = ChainSettings.from(Map.of("gridshare.chain.deployment-file", file.toString())).connect();
        try {
            assertThat(contracts.nodeStakes().status(chain.account(1).getAddress()).registered()).isFalse();
            assertThat(contracts.sender()).isNull();
        } finally {
            contracts.chain().close();
        }

        Deployment wrongChain = new Deployment(chain.deployment().rpcUrl(), 1, chain.deployment().gridToken(),
                chain.deployment().nodeRegistry(), chain.deployment().paymentChannels());
        wrongChain.write(file);
        assertThatThrownBy(() -> ChainSettings.from(Map.of("gridshare.chain.deployment-file", file.toString())).connect())
                .isInstanceOf(ChainException.class)
                .hasMessageContaining("serves chain " + chain.deployment().chainId())
                .hasMessageContaining("on chain 1");
    }

    @Test
    @DisplayName("settings name the missing key")
    void settingsNameMissingKey() {
        assertThatThrownBy(() -> ChainSettings.from(Map.of("gridshare.chain.rpc-url", "http://127.0.0.1:1")))
                .isInstanceOf(ChainException.class)
                .hasMessageContaining("gridshare.chain.chain-id");
        assertThatThrownBy(() -> ChainSettings.from(Map.of("gridshare.chain.deployment-file", "/nonexistent.json",
                "gridshare.chain.keystore", "/k.json")))
                .isInstanceOf(ChainException.class);
    }

    @Test
    @DisplayName("the chain-adapter directory is found from the working directory")
    void findsChainAdapterDir() {
        Path dir = ChainAdapterDir.locate();
        assertThat(dir.resolve("package.json")).exists();
        assertThat(dir.getFileName().toString()).isEqualTo("chain-adapter");
    }

    @Test
    @DisplayName("closing a local chain stops its anvil process")
    void closeStopsProcess() {
        LocalChain second = LocalChain.start(LocalChain.Options.defaults().withChainId(31338));
        ProcessHandle handle = ProcessHandle.of(second.pid()).orElseThrow();
        assertThat(second.connection().chainId()).isEqualTo(31338);
        second.close();
        assertThat(handle.isAlive()).isFalse();
        assertThat(second.isRunning()).isFalse();
    }

    @Test
    @DisplayName("a missing anvil binary is reported with what to do")
    void missingAnvil(@TempDir Path dir) {
        String previous = System.getProperty(LocalChain.ANVIL_PROPERTY);
        System.setProperty(LocalChain.ANVIL_PROPERTY, dir.resolve("anvil").toString());
        try {
            assertThatThrownBy(LocalChain::start).isInstanceOf(ChainException.class).hasMessageContaining("npm ci");
        } finally {
            if (previous == null) {
                System.clearProperty(LocalChain.ANVIL_PROPERTY);
            } else {
                System.setProperty(LocalChain.ANVIL_PROPERTY, previous);
            }
        }
        assertThat(Files.exists(dir.resolve("anvil"))).isFalse();
    }
}
