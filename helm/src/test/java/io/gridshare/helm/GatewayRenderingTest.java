package io.gridshare.helm;

import static io.gridshare.helm.Manifests.at;
import static io.gridshare.helm.Manifests.container;
import static io.gridshare.helm.Manifests.env;
import static io.gridshare.helm.Manifests.envValue;
import static io.gridshare.helm.Manifests.map;
import static io.gridshare.helm.Manifests.maps;
import static io.gridshare.helm.Manifests.podSpec;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The gateway cluster under each discovery mode and under production-like values. */
class GatewayRenderingTest {

    private static final String GATEWAY = "gs-gridshare-gateway";
    private static final String HEADLESS = "gs-gridshare-gateway-hazelcast";
    private static final String HEADLESS_DNS = HEADLESS + ".grid.svc.cluster.local";

    @Nested
    @DisplayName("with the default values")
    class Defaults {
        private final Manifests m = Chart.render();
        private final Map<String, Object> gateway = container(m.get("StatefulSet", GATEWAY));

        @Test
        void membersFindEachOtherByDnsLookupOfTheHeadlessService() {
            assertThat(envValue(gateway, "GRIDSHARE_GRID_DISCOVERY")).isEqualTo("kubernetes");
            assertThat(envValue(gateway, "GRIDSHARE_GRID_KUBERNETES_MODE")).isEqualTo("dns");
            assertThat(envValue(gateway, "GRIDSHARE_GRID_KUBERNETES_SERVICE_DNS")).isEqualTo(HEADLESS_DNS);
            assertThat(envValue(gateway, "GRIDSHARE_GRID_CLUSTER_NAME")).isEqualTo("gridshare");
        }

        @Test
        void dnsDiscoveryNeedsNoRbacAndNoServiceAccountToken() {
            assertThat(m.ofKind("Role")).isEmpty();
            assertThat(m.ofKind("RoleBinding")).isEmpty();
            assertThat(m.get("ServiceAccount", GATEWAY).get("automountServiceAccountToken")).isEqualTo(false);
        }

        @Test
        void probesUseTheMicroProfileHealthEndpoints() {
            assertThat(at(gateway, "startupProbe", "httpGet", "path")).isEqualTo("/health/started");
            assertThat(at(gateway, "livenessProbe", "httpGet", "path")).isEqualTo("/health/live");
            assertThat(at(gateway, "readinessProbe", "httpGet", "path")).isEqualTo("/health/ready");
            assertThat(List.of("startupProbe", "livenessProbe", "readinessProbe"))
                    .allSatisfy(probe -> assertThat(at(gateway, probe, "httpGet", "port")).isEqualTo("http"));
        }

        @Test
        void exposesRestGrpcAndHazelcastPortsUnderTheirNames() {
            assertThat(maps(gateway.get("ports"))).extracting(p -> p.get("name") + ":" + p.get("containerPort"))
                    .containsExactly("http:8080", "grpc:9090", "hazelcast:5701");
            assertThat(at(m.get("Service", GATEWAY + "-http"), "spec", "ports")).asList().hasSize(1);
            assertThat(map(maps(at(m.get("Service", GATEWAY + "-grpc"), "spec", "ports")).getFirst()))
                    .containsEntry("port", 9090).containsEntry("targetPort", "grpc");
        }

        @Test
        void twoMembersStartInParallelAndASingleDrainTakesAtMostOne() {
            Map<String, Object> statefulSet = m.get("StatefulSet", GATEWAY);
            assertThat(at(statefulSet, "spec", "replicas")).isEqualTo(2);
            assertThat(at(statefulSet, "spec", "podManagementPolicy")).isEqualTo("Parallel");
            assertThat(at(m.only("PodDisruptionBudget"), "spec", "maxUnavailable")).isEqualTo(1);
        }

        @Test
        void onlyMembersReachTheHazelcastPortWhileRestAndGrpcStayOpen() {
            Map<String, Object> policy = m.only("NetworkPolicy");
            List<Map<String, Object>> rules = maps(at(policy, "spec", "ingress"));
            assertThat(rules).hasSize(2);
            assertThat(rules.get(1)).doesNotContainKey("from");
            assertThat(maps(rules.get(1).get("ports"))).extracting(p -> p.get("port")).containsExactly("http", "grpc");
            assertThat(m.ofKind("Ingress")).isEmpty();
        }

        @Test
        void theKeystoreAndItsPasswordAreFilesFromTheChartMadeSecret() {
            assertThat(envValue(gateway, "GRIDSHARE_GATEWAY_KEYSTORE")).isEqualTo("/var/run/secrets/gridshare/keystore/keystore.json");
            assertThat(envValue(gateway, "GRIDSHARE_GATEWAY_KEYSTORE_PASSWORD_FILE")).isEqualTo("/var/run/secrets/gridshare/keystore/password");
            assertThat(at(volume(m, "keystore"), "secret", "secretName")).isEqualTo("gs-gridshare-gateway-keystore");
            assertThat(map(m.get("Secret", "gs-gridshare-gateway-keystore").get("data"))).containsOnlyKeys("keystore.json", "password");
        }

        @Test
        void feeAndCreditWindowComeFromValues() {
            assertThat(envValue(gateway, "GRIDSHARE_GATEWAY_FEE_BPS")).isEqualTo("500");
            assertThat(envValue(gateway, "GRIDSHARE_GATEWAY_CREDIT_WINDOW_TOKENS")).isEqualTo("64");
        }

        @Test
        void theImageTagDefaultsToTheChartsAppVersion() {
            assertThat(gateway.get("image")).isEqualTo("ghcr.io/gridshare/gateway:0.1.0");
        }

        @Test
        void membersPreferDifferentHosts() {
            assertThat(at(podSpec(m.get("StatefulSet", GATEWAY)), "affinity", "podAntiAffinity",
                    "preferredDuringSchedulingIgnoredDuringExecution")).asList().hasSize(1);
        }
    }

    @Nested
    @DisplayName("with Kubernetes API discovery")
    class ApiDiscovery {
        private final Manifests m = Chart.render(Chart.ciValues("api-discovery-values.yaml"));
        private final Map<String, Object> gateway = container(m.get("StatefulSet", GATEWAY));

        @Test
        @SuppressWarnings("unchecked")
        void aRoleLetsTheGatewayReadEndpointsPodsAndServicesInItsNamespaceOnly() {
            Map<String, Object> role = m.only("Role");
            assertThat(maps(role.get("rules"))).anySatisfy(rule -> {
                assertThat((List<Object>) rule.get("resources")).contains("endpoints", "pods", "services");
                assertThat((List<Object>) rule.get("verbs")).containsExactlyInAnyOrder("get", "list");
            });
            assertThat(m.ofKind("ClusterRole")).isEmpty();
            assertThat(m.get("ServiceAccount", GATEWAY).get("automountServiceAccountToken")).isEqualTo(true);
        }

        @Test
        void theGatewayLooksUpTheHeadlessServiceInItsOwnNamespace() {
            assertThat(envValue(gateway, "GRIDSHARE_GRID_KUBERNETES_MODE")).isEqualTo("api");
            assertThat(envValue(gateway, "GRIDSHARE_GRID_KUBERNETES_SERVICE_NAME")).isEqualTo(HEADLESS);
            assertThat(env(gateway, "GRIDSHARE_GRID_KUBERNETES_NAMESPACE").orElseThrow())
                    .extracting(e -> at(e, "valueFrom", "fieldRef", "fieldPath")).isEqualTo("metadata.namespace");
            assertThat(env(gateway, "GRIDSHARE_GRID_KUBERNETES_SERVICE_DNS")).isEmpty();
        }
    }

    @Nested
    @DisplayName("with tcp discovery")
    class TcpDiscovery {
        private final Manifests m = Chart.render(Chart.ciValues("tcp-discovery-values.yaml"));
        private final Map<String, Object> gateway = container(m.get("StatefulSet", GATEWAY));

        @Test
        void restrictedClientsStillIncludeThisReleasesNodes() {
            Map<String, Object> open = maps(at(m.only("NetworkPolicy"), "spec", "ingress")).get(1);
            assertThat(maps(open.get("from"))).hasSize(2).anySatisfy(from -> assertThat(
                    m.workloadsSelectedBy(map(at(from, "podSelector", "matchLabels")))).containsExactly(m.only("DaemonSet")));
        }

        @Test
        void theMemberListNamesEveryReplicaByItsStableDnsName() {
            assertThat(envValue(gateway, "GRIDSHARE_GRID_DISCOVERY")).isEqualTo("tcp");
            assertThat(envValue(gateway, "GRIDSHARE_GRID_MEMBERS").split(",")).containsExactly(
                    GATEWAY + "-0." + HEADLESS_DNS + ":5701",
                    GATEWAY + "-1." + HEADLESS_DNS + ":5701",
                    GATEWAY + "-2." + HEADLESS_DNS + ":5701");
            assertThat(env(gateway, "GRIDSHARE_GRID_KUBERNETES_MODE")).isEmpty();
            assertThat(m.ofKind("Role")).isEmpty();
        }
    }

    @Nested
    @DisplayName("with production-like values")
    class Production {
        private final Manifests m = Chart.render(Chart.ciValues("production-values.yaml"));
        private final Map<String, Object> statefulSet = m.get("StatefulSet", GATEWAY);

        @Test
        void threeMembersWithAtLeastTwoAvailableDuringDrains() {
            assertThat(at(statefulSet, "spec", "replicas")).isEqualTo(3);
            Map<String, Object> pdb = map(m.only("PodDisruptionBudget").get("spec"));
            assertThat(pdb).containsEntry("minAvailable", 2).doesNotContainKey("maxUnavailable");
        }

        @Test
        void keysComeOnlyFromTheExistingSecrets() {
            assertThat(m.ofKind("Secret")).isEmpty();
            assertThat(at(volume(m, "keystore"), "secret", "secretName")).isEqualTo("gridshare-gateway-key");
        }

        @Test
        void grpcIsExposedThroughALoadBalancerAndRestStaysInside() {
            assertThat(at(m.get("Service", GATEWAY + "-grpc"), "spec", "type")).isEqualTo("LoadBalancer");
            assertThat(map(at(m.get("Service", GATEWAY + "-grpc"), "metadata", "annotations")))
                    .containsEntry("service.beta.kubernetes.io/aws-load-balancer-type", "nlb");
            assertThat(at(m.get("Service", GATEWAY + "-http"), "spec", "type")).isEqualTo("ClusterIP");
        }

        @Test
        void theServiceMonitorScrapesMetricsFromTheHttpPortWithTheReleaseLabel() {
            Map<String, Object> monitor = m.only("ServiceMonitor");
            assertThat(map(at(monitor, "metadata", "labels"))).containsEntry("release", "prometheus");
            assertThat(maps(at(monitor, "spec", "endpoints"))).singleElement().satisfies(e -> assertThat(e)
                    .containsEntry("port", "http").containsEntry("path", "/metrics"));
        }

        @Test
        void membersAreSpreadOverZonesAndGetTheConfiguredPriority() {
            Map<String, Object> pod = podSpec(statefulSet);
            assertThat(maps(pod.get("topologySpreadConstraints"))).singleElement()
                    .satisfies(c -> assertThat(c).containsEntry("topologyKey", "topology.kubernetes.io/zone"));
            assertThat(pod).containsEntry("priorityClassName", "high-priority");
        }

        @Test
        void restIsPublishedThroughTheIngressWithTls() {
            Map<String, Object> ingress = m.only("Ingress");
            assertThat(at(ingress, "spec", "ingressClassName")).isEqualTo("nginx");
            assertThat(maps(at(ingress, "spec", "tls"))).singleElement().satisfies(t -> assertThat(t).containsEntry("secretName", "gridshare-api-tls"));
            assertThat(maps(at(ingress, "spec", "rules"))).singleElement().satisfies(r -> assertThat(r).containsEntry("host", "api.gridshare.example"));
        }

        @Test
        void resourcesAreTheConfiguredOnes() {
            assertThat(map(container(statefulSet).get("resources"))).isEqualTo(Map.of(
                    "requests", Map.of("cpu", "2", "memory", "4Gi"),
                    "limits", Map.of("memory", "4Gi")));
        }
    }

    @Test
    @DisplayName("existing Secrets with their own key names are mapped onto the files the gateway reads")
    void existingSecretKeysAreMappedOntoFixedFileNames() {
        Manifests m = Chart.render(Chart.ciValues("existing-secrets-values.yaml"));

        assertThat(m.ofKind("Secret")).isEmpty();
        Map<String, Object> secret = map(volume(m, "keystore").get("secret"));
        assertThat(secret).containsEntry("secretName", "gateway-wallet");
        assertThat(maps(secret.get("items"))).extracting(i -> i.get("key") + "->" + i.get("path"))
                .containsExactly("UTC--gateway.json->keystore.json", "passphrase->password");
    }

    @Test
    @DisplayName("a keystore passed in values lands base64-encoded in the chart-made Secret")
    void keystoreFromValuesIsStoredInTheSecret() {
        Manifests m = Chart.render(Chart.ciValues("gateway-only-values.yaml"));

        Map<String, Object> data = map(m.get("Secret", "gs-gridshare-gateway-keystore").get("data"));
        assertThat(new String(java.util.Base64.getDecoder().decode((String) data.get("password"))))
                .isEqualTo("not-a-real-password");
        assertThat(new String(java.util.Base64.getDecoder().decode((String) data.get("keystore.json"))))
                .startsWith("{\"version\":3");
    }

    private static Map<String, Object> volume(Manifests m, String name) {
        return maps(podSpec(m.get("StatefulSet", GATEWAY)).get("volumes")).stream()
                .filter(v -> name.equals(v.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }
}
