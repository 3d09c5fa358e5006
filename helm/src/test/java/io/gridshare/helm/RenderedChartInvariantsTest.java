package io.gridshare.helm;

import static io.gridshare.helm.Manifests.at;
import static io.gridshare.helm.Manifests.container;
import static io.gridshare.helm.Manifests.containers;
import static io.gridshare.helm.Manifests.map;
import static io.gridshare.helm.Manifests.maps;
import static io.gridshare.helm.Manifests.matches;
import static io.gridshare.helm.Manifests.maybe;
import static io.gridshare.helm.Manifests.name;
import static io.gridshare.helm.Manifests.podAnnotations;
import static io.gridshare.helm.Manifests.podLabels;
import static io.gridshare.helm.Manifests.podSpec;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Properties every rendering must have, checked under the default values and under every
 * example values file in the chart's ci/ folder (a new example file is checked automatically).
 */
class RenderedChartInvariantsTest {

    /** A rendering and the Secret names its values file says exist outside the chart. */
    record Scenario(String name, Manifests manifests, Set<String> externalSecrets) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> scenarios() {
        List<Arguments> scenarios = new ArrayList<>();
        scenarios.add(Arguments.of(new Scenario("defaults", Chart.render(), Set.of())));
        for (Path file : Chart.ciValuesFiles()) {
            scenarios.add(Arguments.of(new Scenario(file.getFileName().toString(), Chart.render(file), externalSecrets(file))));
        }
        return scenarios.stream();
    }

    private static Set<String> externalSecrets(Path valuesFile) {
        try {
            Map<String, Object> values = map(new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(valuesFile)));
            Set<String> names = new HashSet<>();
            for (String component : List.of("gateway", "node")) {
                maybe(values, component, "keystore", "existingSecret").map(String.class::cast).filter(s -> !s.isEmpty()).ifPresent(names::add);
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void everyExampleValuesFileTheDocsMentionExists() {
        assertThat(Chart.ciValuesFiles()).extracting(p -> p.getFileName().toString()).contains(
                "production-values.yaml", "existing-secrets-values.yaml", "gateway-only-values.yaml",
                "api-discovery-values.yaml", "tcp-discovery-values.yaml", "cpu-nodes-values.yaml");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void everyObjectCarriesTheStandardLabelsAndTheReleaseNamespace(Scenario scenario) {
        assertThat(scenario.manifests().all()).isNotEmpty().allSatisfy(object -> {
            Map<String, Object> metadata = map(object.get("metadata"));
            assertThat(map(metadata.get("labels"))).as("labels of %s/%s", object.get("kind"), name(object))
                    .containsEntry("app.kubernetes.io/name", "gridshare")
                    .containsEntry("app.kubernetes.io/instance", Chart.RELEASE)
                    .containsEntry("app.kubernetes.io/managed-by", "Helm")
                    .containsEntry("app.kubernetes.io/part-of", "gridshare")
                    .containsKeys("app.kubernetes.io/version", "helm.sh/chart");
            assertThat(metadata.get("namespace")).as("namespace of %s", name(object)).isEqualTo(Chart.NAMESPACE);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void eachWorkloadSelectsItsOwnPodsAndNoOtherWorkloadsPods(Scenario scenario) {
        Manifests m = scenario.manifests();
        assertThat(m.workloads()).allSatisfy(workload -> {
            Map<String, Object> selector = map(at(workload, "spec", "selector", "matchLabels"));
            assertThat(m.workloadsSelectedBy(selector)).as("workloads matched by the selector of %s", name(workload))
                    .extracting(Manifests::name).containsExactly(name(workload));
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void everyServiceSelectsOneWorkloadAndTargetsPortsItsContainersDeclare(Scenario scenario) {
        Manifests m = scenario.manifests();
        assertThat(m.ofKind("Service")).isNotEmpty().allSatisfy(service -> {
            List<Map<String, Object>> selected = m.workloadsSelectedBy(map(at(service, "spec", "selector")));
            assertThat(selected).as("workloads behind Service %s", name(service)).hasSize(1);
            Set<Object> declared = declaredPorts(selected.getFirst());
            assertThat(maps(at(service, "spec", "ports"))).isNotEmpty().allSatisfy(port ->
                    assertThat(declared).as("targetPort of %s port %s", name(service), port.get("name")).contains(port.get("targetPort")));
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void everyProbeCallsAnHttpPathOnADeclaredPort(Scenario scenario) {
        for (Map<String, Object> workload : scenario.manifests().workloads()) {
            Set<Object> declared = declaredPorts(workload);
            for (Map<String, Object> container : containers(workload)) {
                for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                    Map<String, Object> httpGet = map(at(container, probe, "httpGet"));
                    assertThat(declared).as("%s of %s", probe, name(workload)).contains(httpGet.get("port"));
                    assertThat((String) httpGet.get("path")).startsWith("/health");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void everyConfigMapAndSecretKeyReferenceResolves(Scenario scenario) {
        Manifests m = scenario.manifests();
        for (Map<String, Object> workload : m.workloads()) {
            for (Map<String, Object> container : containers(workload)) {
                for (Map<String, Object> env : maps(container.get("env"))) {
                    maybe(env, "valueFrom", "configMapKeyRef").map(Manifests::map).ifPresent(ref ->
                            assertThat(map(m.get("ConfigMap", (String) ref.get("name")).get("data")))
                                    .as("ConfigMap key behind env %s", env.get("name")).containsKey((String) ref.get("key")));
                    maybe(env, "valueFrom", "secretKeyRef").map(Manifests::map).ifPresent(ref ->
                            assertSecretHasKey(scenario, (String) ref.get("name"), (String) ref.get("key")));
                }
            }
            for (Map<String, Object> volume : maps(podSpec(workload).get("volumes"))) {
                maybe(volume, "secret").map(Manifests::map).ifPresent(secret -> {
                    for (Map<String, Object> item : maps(secret.get("items"))) {
                        assertSecretHasKey(scenario, (String) secret.get("secretName"), (String) item.get("key"));
                    }
                });
                maybe(volume, "configMap").map(Manifests::map).ifPresent(cm -> m.get("ConfigMap", (String) cm.get("name")));
            }
        }
    }

    private static void assertSecretHasKey(Scenario scenario, String secretName, String key) {
        Optional<Map<String, Object>> secret = scenario.manifests().find("Secret", secretName);
        if (secret.isPresent()) {
            assertThat(map(secret.get().get("data"))).as("keys of Secret %s", secretName).containsKey(key);
        } else {
            assertThat(scenario.externalSecrets()).as("Secret %s is neither rendered nor named as existing in the values", secretName)
                    .contains(secretName);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void everyMountedVolumeIsDeclaredAndEveryFileSettingPointsIntoAMount(Scenario scenario) {
        for (Map<String, Object> workload : scenario.manifests().workloads()) {
            Map<String, Map<String, Object>> volumes = new java.util.HashMap<>();
            maps(podSpec(workload).get("volumes")).forEach(v -> volumes.put((String) v.get("name"), v));
            Map<String, Object> container = container(workload);
            List<Map<String, Object>> mounts = maps(container.get("volumeMounts"));
            assertThat(mounts).extracting(mount -> mount.get("name")).allMatch(volumes::containsKey)
                    .doesNotHaveDuplicates();
            assertThat(mounts).extracting(mount -> mount.get("mountPath")).doesNotHaveDuplicates();

            // Settings that name files (keystores, password files) must be provided by a volume.
            for (Map<String, Object> env : maps(container.get("env"))) {
                String variable = (String) env.get("name");
                if (!(variable.endsWith("_KEYSTORE") || variable.endsWith("_PASSWORD_FILE"))) {
                    continue;
                }
                Path file = Path.of((String) env.get("value"));
                Map<String, Object> mount = mounts.stream()
                        .filter(mt -> file.getParent().equals(Path.of((String) mt.get("mountPath"))))
                        .findFirst().orElseThrow(() -> new AssertionError(variable + "=" + file + " lies in no mounted directory"));
                Map<String, Object> volume = volumes.get((String) mount.get("name"));
                if (volume.containsKey("secret")) {
                    assertThat(maps(at(volume, "secret", "items"))).extracting(item -> item.get("path"))
                            .as("files the Secret volume behind %s provides", variable).contains(file.getFileName().toString());
                } else {
                    assertThat(volume).as("volume behind %s", variable).containsKey("hostPath");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void everyContainerRunsNonRootOnAReadOnlyRootWithAWritableTmp(Scenario scenario) {
        assertThat(scenario.manifests().workloads()).allSatisfy(workload -> {
            assertThat(at(podSpec(workload), "securityContext", "runAsNonRoot")).isEqualTo(true);
            assertThat((Integer) at(podSpec(workload), "securityContext", "runAsUser")).isPositive();
            Map<String, Object> container = container(workload);
            Map<String, Object> security = map(container.get("securityContext"));
            assertThat(security).containsEntry("readOnlyRootFilesystem", true).containsEntry("allowPrivilegeEscalation", false);
            assertThat(at(security, "capabilities", "drop")).isEqualTo(List.of("ALL"));
            String tmpVolume = maps(container.get("volumeMounts")).stream()
                    .filter(mount -> "/tmp".equals(mount.get("mountPath"))).map(mount -> (String) mount.get("name"))
                    .findFirst().orElseThrow(() -> new AssertionError("no writable /tmp in " + name(workload)));
            assertThat(maps(podSpec(workload).get("volumes"))).filteredOn(v -> tmpVolume.equals(v.get("name")))
                    .singleElement().satisfies(v -> assertThat(v).containsKey("emptyDir"));
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void theGatewayStatefulSetIsGovernedByAHeadlessServiceThatPublishesUnreadyMembers(Scenario scenario) {
        Manifests m = scenario.manifests();
        Map<String, Object> statefulSet = m.only("StatefulSet");
        Map<String, Object> headless = m.get("Service", (String) at(statefulSet, "spec", "serviceName"));

        assertThat(at(headless, "spec", "clusterIP")).isEqualTo("None");
        assertThat(at(headless, "spec", "publishNotReadyAddresses")).isEqualTo(true);
        assertThat(m.workloadsSelectedBy(map(at(headless, "spec", "selector")))).containsExactly(statefulSet);
        assertThat(maps(at(headless, "spec", "ports"))).extracting(p -> p.get("targetPort")).containsExactly("hazelcast");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void podDisruptionBudgetsCoverExactlyTheGatewayMembers(Scenario scenario) {
        Manifests m = scenario.manifests();
        assertThat(m.ofKind("PodDisruptionBudget")).allSatisfy(pdb -> {
            assertThat(m.workloadsSelectedBy(map(at(pdb, "spec", "selector", "matchLabels"))))
                    .containsExactly(m.only("StatefulSet"));
            Set<String> keys = map(pdb.get("spec")).keySet();
            assertThat(keys).as("exactly one of maxUnavailable and minAvailable")
                    .isIn(Set.of("selector", "maxUnavailable"), Set.of("selector", "minAvailable"));
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void prometheusScrapesAPortThatExists(Scenario scenario) {
        Manifests m = scenario.manifests();
        for (Map<String, Object> workload : m.workloads()) {
            Map<String, Object> annotations = podAnnotations(workload);
            if ("true".equals(annotations.get("prometheus.io/scrape"))) {
                assertThat(declaredPorts(workload)).as("prometheus.io/port of %s", name(workload))
                        .contains(Integer.parseInt((String) annotations.get("prometheus.io/port")));
                assertThat(annotations).containsEntry("prometheus.io/path", "/metrics");
            }
        }
        for (Map<String, Object> monitor : m.ofKind("ServiceMonitor")) {
            Map<String, Object> selector = map(at(monitor, "spec", "selector", "matchLabels"));
            List<Map<String, Object>> services = m.ofKind("Service").stream()
                    .filter(s -> matches(selector, map(at(s, "metadata", "labels")))).toList();
            assertThat(services).as("Services the ServiceMonitor selects").hasSize(1);
            Set<Object> servicePorts = new HashSet<>();
            maps(at(services.getFirst(), "spec", "ports")).forEach(p -> servicePorts.add(p.get("name")));
            assertThat(maps(at(monitor, "spec", "endpoints"))).allSatisfy(e -> assertThat(servicePorts).contains(e.get("port")));
        }
        for (Map<String, Object> monitor : m.ofKind("PodMonitor")) {
            List<Map<String, Object>> selected = m.workloadsSelectedBy(map(at(monitor, "spec", "selector", "matchLabels")));
            assertThat(selected).hasSize(1);
            assertThat(maps(at(monitor, "spec", "podMetricsEndpoints")))
                    .allSatisfy(e -> assertThat(declaredPorts(selected.getFirst())).contains(e.get("port")));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void rbacExistsOnlyForApiDiscoveryAndBindsTheGatewayServiceAccount(Scenario scenario) {
        Manifests m = scenario.manifests();
        Map<String, Object> gateway = container(m.only("StatefulSet"));
        boolean apiDiscovery = Manifests.env(gateway, "GRIDSHARE_GRID_KUBERNETES_MODE")
                .map(e -> "api".equals(e.get("value"))).orElse(false);
        String serviceAccount = (String) podSpec(m.only("StatefulSet")).get("serviceAccountName");

        assertThat(m.ofKind("Role")).hasSize(apiDiscovery ? 1 : 0);
        assertThat(m.ofKind("RoleBinding")).hasSize(apiDiscovery ? 1 : 0);
        assertThat(m.ofKind("ClusterRole")).isEmpty();
        assertThat(podSpec(m.only("StatefulSet")).get("automountServiceAccountToken")).isEqualTo(apiDiscovery);
        m.get("ServiceAccount", serviceAccount);
        for (Map<String, Object> binding : m.ofKind("RoleBinding")) {
            m.get("Role", (String) at(binding, "roleRef", "name"));
            assertThat(maps(binding.get("subjects"))).singleElement().satisfies(subject -> assertThat(subject)
                    .containsEntry("kind", "ServiceAccount").containsEntry("name", serviceAccount));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void everyIngressBackendIsARenderedServicePort(Scenario scenario) {
        Manifests m = scenario.manifests();
        for (Map<String, Object> ingress : m.ofKind("Ingress")) {
            for (Map<String, Object> rule : maps(at(ingress, "spec", "rules"))) {
                assertThat(maps(at(rule, "http", "paths"))).isNotEmpty().allSatisfy(path -> {
                    Map<String, Object> backend = map(at(path, "backend", "service"));
                    Map<String, Object> service = m.get("Service", (String) backend.get("name"));
                    assertThat(maps(at(service, "spec", "ports"))).extracting(p -> p.get("name"))
                            .as("ports of %s", backend.get("name")).contains(at(backend, "port", "name"));
                });
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void networkPoliciesAdmitHazelcastOnlyFromMembersAndNameDeclaredPorts(Scenario scenario) {
        Manifests m = scenario.manifests();
        for (Map<String, Object> policy : m.ofKind("NetworkPolicy")) {
            Map<String, Object> statefulSet = m.only("StatefulSet");
            assertThat(m.workloadsSelectedBy(map(at(policy, "spec", "podSelector", "matchLabels")))).containsExactly(statefulSet);
            Set<Object> declared = declaredPorts(statefulSet);
            for (Map<String, Object> rule : maps(at(policy, "spec", "ingress"))) {
                List<Object> ports = maps(rule.get("ports")).stream().map(p -> p.get("port")).toList();
                assertThat(declared).as("ports named by the NetworkPolicy").containsAll(ports);
                if (ports.contains("hazelcast")) {
                    assertThat(ports).containsExactly("hazelcast");
                    assertThat(maps(rule.get("from"))).singleElement().satisfies(from -> assertThat(
                            m.workloadsSelectedBy(map(at(from, "podSelector", "matchLabels")))).containsExactly(statefulSet));
                }
            }
        }
    }

    /** Container port names and numbers of a workload's pods. */
    private static Set<Object> declaredPorts(Map<String, Object> workload) {
        Set<Object> ports = new HashSet<>();
        for (Map<String, Object> container : containers(workload)) {
            for (Map<String, Object> port : maps(container.get("ports"))) {
                ports.add(port.get("name"));
                ports.add(port.get("containerPort"));
            }
        }
        return ports;
    }
}
