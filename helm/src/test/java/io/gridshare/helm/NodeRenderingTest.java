package io.gridshare.helm;

import static io.gridshare.helm.Manifests.at;
import static io.gridshare.helm.Manifests.container;
import static io.gridshare.helm.Manifests.envValue;
import static io.gridshare.helm.Manifests.map;
import static io.gridshare.helm.Manifests.maps;
import static io.gridshare.helm.Manifests.podSpec;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The compute-node DaemonSet on GPU hosts, on CPU hosts, and switched off. */
class NodeRenderingTest {

    private static final String NODE = "gs-gridshare-node";

    @Nested
    @DisplayName("with the default values")
    class Defaults {
        private final Manifests m = Chart.render();
        private final Map<String, Object> daemonSet = m.get("DaemonSet", NODE);
        private final Map<String, Object> node = container(daemonSet);

        @Test
        void eachPodGetsOneGpuThroughTheNvidiaRuntime() {
            assertThat(map(at(node, "resources", "limits"))).containsEntry("nvidia.com/gpu", 1);
            assertThat(podSpec(daemonSet)).containsEntry("runtimeClassName", "nvidia");
        }

        @Test
        void runsOnlyOnLabelledGpuHostsAndToleratesTheirTaint() {
            assertThat(map(podSpec(daemonSet).get("nodeSelector"))).containsExactly(Map.entry("gridshare.io/gpu", "true"));
            assertThat(maps(podSpec(daemonSet).get("tolerations")))
                    .anySatisfy(t -> assertThat(t).containsEntry("key", "nvidia.com/gpu").containsEntry("effect", "NoSchedule"));
        }

        @Test
        void dialsTheReleasesGatewayGrpcService() {
            assertThat(envValue(node, "GRIDSHARE_NODE_GATEWAYS")).isEqualTo("gs-gridshare-gateway-grpc.grid.svc.cluster.local:9090");
            assertThat(m.get("Service", "gs-gridshare-gateway-grpc")).isNotNull();
        }

        @Test
        void probesTheHealthPort() {
            assertThat(maps(node.get("ports"))).singleElement().satisfies(p -> assertThat(p)
                    .containsEntry("name", "health").containsEntry("containerPort", 8081));
            assertThat(at(node, "livenessProbe", "httpGet")).isEqualTo(Map.of("path", "/health", "port", "health"));
        }

        @Test
        void modelsComeReadOnlyFromTheHost() {
            assertThat(envValue(node, "GRIDSHARE_NODE_MODELS_DIR")).isEqualTo("/models");
            assertThat(maps(podSpec(daemonSet).get("volumes"))).filteredOn(v -> "models".equals(v.get("name"))).singleElement()
                    .satisfies(v -> assertThat(map(v.get("hostPath"))).containsEntry("path", "/var/lib/gridshare/models"));
            assertThat(maps(node.get("volumeMounts"))).filteredOn(v -> "models".equals(v.get("name"))).singleElement()
                    .satisfies(v -> assertThat(v).containsEntry("readOnly", true));
        }

        @Test
        void priceSlotsAndBackendComeFromValues() {
            assertThat(envValue(node, "GRIDSHARE_NODE_PRICE_PER_TOKEN")).isEqualTo("1000000000");
            assertThat(envValue(node, "GRIDSHARE_NODE_SLOTS")).isEqualTo("1");
            assertThat(envValue(node, "GRIDSHARE_NODE_BACKEND")).isEqualTo("auto");
        }

        @Test
        void theNodeHasNoKubernetesApiToken() {
            assertThat(podSpec(daemonSet)).containsEntry("automountServiceAccountToken", false);
        }
    }

    @Nested
    @DisplayName("on CPU hosts with per-host keys and a shared models volume")
    class CpuNodes {
        private final Manifests m = Chart.render(Chart.ciValues("cpu-nodes-values.yaml"));
        private final Map<String, Object> daemonSet = m.get("DaemonSet", NODE);
        private final Map<String, Object> node = container(daemonSet);

        @Test
        void requestsNoGpuAndNoRuntimeClass() {
            assertThat(map(at(node, "resources", "limits"))).doesNotContainKey("nvidia.com/gpu");
            assertThat(podSpec(daemonSet)).doesNotContainKey("runtimeClassName");
            assertThat(envValue(node, "GRIDSHARE_NODE_BACKEND")).isEqualTo("cpu");
        }

        @Test
        void dialsTheConfiguredGateways() {
            assertThat(envValue(node, "GRIDSHARE_NODE_GATEWAYS")).isEqualTo("gateway-a.example.net:9090,gateway-b.example.net:9090");
        }

        @Test
        void readsItsKeystoreFromTheHostAndOnlyThePasswordFromTheSecret() {
            assertThat(maps(podSpec(daemonSet).get("volumes"))).filteredOn(v -> "keystore".equals(v.get("name"))).singleElement()
                    .satisfies(v -> assertThat(map(v.get("hostPath"))).containsEntry("path", "/etc/gridshare/operator"));
            assertThat(map(m.get("Secret", "gs-gridshare-node-keystore").get("data"))).containsOnlyKeys("password");
        }

        @Test
        void mountsTheModelsClaim() {
            assertThat(maps(podSpec(daemonSet).get("volumes"))).filteredOn(v -> "models".equals(v.get("name"))).singleElement()
                    .satisfies(v -> assertThat(map(v.get("persistentVolumeClaim"))).containsEntry("claimName", "gridshare-models"));
        }
    }

    @Test
    @DisplayName("production values request the GPU on hosts carrying both labels and scrape nodes with a PodMonitor")
    void productionNodes() {
        Manifests m = Chart.render(Chart.ciValues("production-values.yaml"));
        Map<String, Object> daemonSet = m.get("DaemonSet", NODE);

        assertThat(map(podSpec(daemonSet).get("nodeSelector")))
                .containsEntry("gridshare.io/gpu", "true").containsEntry("nvidia.com/gpu.present", "true");
        assertThat(map(at(container(daemonSet), "resources", "limits"))).containsEntry("nvidia.com/gpu", 1);
        assertThat(envValue(container(daemonSet), "GRIDSHARE_NODE_SLOTS")).isEqualTo("4");
        assertThat(maps(at(m.only("PodMonitor"), "spec", "podMetricsEndpoints"))).singleElement()
                .satisfies(e -> assertThat(e).containsEntry("port", "health").containsEntry("path", "/metrics"));
    }

    @Test
    @DisplayName("with node.enabled=false nothing node-related is rendered")
    void gatewayOnlyRendersNoNodeObjects() {
        Manifests m = Chart.render(Chart.ciValues("gateway-only-values.yaml"));

        assertThat(m.ofKind("DaemonSet")).isEmpty();
        assertThat(m.find("ServiceAccount", NODE)).isEmpty();
        assertThat(m.find("Secret", "gs-gridshare-node-keystore")).isEmpty();
        assertThat(m.ofKind("StatefulSet")).hasSize(1);
    }

    @Test
    @DisplayName("GPUs per pod follow node.gpu.count")
    void gpuCountFollowsValues() {
        Manifests m = Chart.render(java.util.List.of(), Map.of("node.gpu.count", 2));

        assertThat(map(at(container(m.get("DaemonSet", NODE)), "resources", "limits"))).containsEntry("nvidia.com/gpu", 2);
    }
}
