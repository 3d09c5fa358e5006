package io.gridshare.helm;

import static io.gridshare.helm.Manifests.at;
import static io.gridshare.helm.Manifests.container;
import static io.gridshare.helm.Manifests.env;
import static io.gridshare.helm.Manifests.map;
import static io.gridshare.helm.Manifests.podAnnotations;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The chain ConfigMap and the one-place list of environment variable names. */
class ConfigurationRenderingTest {

    @Test
    @DisplayName("the ConfigMap carries the RPC URL, chain id and contract addresses under the software's variable names")
    void configMapHoldsChainSettings() {
        Manifests m = Chart.render(Chart.ciValues("production-values.yaml"));

        assertThat(map(m.get("ConfigMap", "gs-gridshare-chain").get("data"))).containsExactlyInAnyOrderEntriesOf(Map.of(
                "GRIDSHARE_CHAIN_RPC_URL", "https://sepolia.base.org",
                "GRIDSHARE_CHAIN_ID", "84532",
                "GRIDSHARE_CONTRACTS_PAYMENT_CHANNELS", "0x5FbDB2315678afecb367f032d93F642f64180aa3",
                "GRIDSHARE_CONTRACTS_NODE_REGISTRY", "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
                "GRIDSHARE_CONTRACTS_GRID_TOKEN", "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0"));
    }

    @Test
    @DisplayName("gateway and node both read every chain setting from the ConfigMap")
    void bothComponentsReadTheChainConfigMap() {
        Manifests m = Chart.render();

        for (Map<String, Object> workload : m.workloads()) {
            for (String variable : map(m.get("ConfigMap", "gs-gridshare-chain").get("data")).keySet()) {
                assertThat(env(container(workload), variable)).as("%s in %s", variable, Manifests.name(workload)).hasValueSatisfying(e ->
                        assertThat(at(e, "valueFrom", "configMapKeyRef")).isEqualTo(Map.of("name", "gs-gridshare-chain", "key", variable)));
            }
        }
    }

    @Test
    @DisplayName("renaming a variable in envNames renames it in the ConfigMap and in both containers")
    void envNamesRenameEverywhere() {
        Manifests m = Chart.render(List.of(), Map.of("envNames.chainRpcUrl", "GRIDSHARE_RPC", "envNames.nodeSlots", "GRIDSHARE_SLOTS"));

        assertThat(map(m.get("ConfigMap", "gs-gridshare-chain").get("data")))
                .containsKey("GRIDSHARE_RPC").doesNotContainKey("GRIDSHARE_CHAIN_RPC_URL");
        for (Map<String, Object> workload : m.workloads()) {
            assertThat(env(container(workload), "GRIDSHARE_RPC")).isPresent();
            assertThat(env(container(workload), "GRIDSHARE_CHAIN_RPC_URL")).isEmpty();
        }
        assertThat(env(container(m.only("DaemonSet")), "GRIDSHARE_SLOTS")).isPresent();
    }

    @Test
    @DisplayName("changing the chain settings changes the pods' checksum, so an upgrade rolls them")
    void chainChangeRollsPods() {
        String before = (String) podAnnotations(Chart.render().only("StatefulSet")).get("checksum/chain");
        String after = (String) podAnnotations(Chart.render(List.of(), Map.of("chain.rpcUrl", "https://rpc.example.net"))
                .only("StatefulSet")).get("checksum/chain");

        assertThat(after).isNotBlank().isNotEqualTo(before);
    }

    @Test
    @DisplayName("fullnameOverride renames every object and keeps names within the 63-character DNS limit")
    void fullnameOverrideKeepsNamesShort() {
        Manifests m = Chart.render(List.of(), Map.of("fullnameOverride", "a".repeat(80)));

        assertThat(m.all()).allSatisfy(o -> assertThat(Manifests.name(o)).startsWith("aaaa").hasSizeLessThanOrEqualTo(63));
    }
}
