package io.gridshare.helm;

import static io.gridshare.helm.Manifests.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * No registry is reachable from the build, so the images are not built here. These tests read
 * the Dockerfiles and hold them to what the chart assumes: ports, user id, jar paths, main class.
 */
class DockerfileTest {

    /** One instruction of a Dockerfile, continuation lines joined. */
    record Instruction(String keyword, String arguments) {
    }

    static List<Instruction> parse(Path dockerfile) {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        try {
            for (String line : Files.readAllLines(dockerfile)) {
                String trimmed = line.strip();
                if (current.isEmpty() && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
                    continue;
                }
                if (trimmed.endsWith("\\")) {
                    current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                    continue;
                }
                current.append(trimmed);
                String[] parts = current.toString().split("\\s+", 2);
                instructions.add(new Instruction(parts[0].toUpperCase(), parts.length > 1 ? parts[1].strip() : ""));
                current.setLength(0);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return instructions;
    }

    /** Instructions of the last stage: what the image is made of. */
    static List<Instruction> finalStage(List<Instruction> instructions) {
        int lastFrom = 0;
        for (int i = 0; i < instructions.size(); i++) {
            if (instructions.get(i).keyword().equals("FROM")) {
                lastFrom = i;
            }
        }
        return instructions.subList(lastFrom, instructions.size());
    }

    static List<String> all(List<Instruction> instructions, String keyword) {
        return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
    }

    static String one(List<Instruction> instructions, String keyword) {
        List<String> found = all(instructions, keyword);
        assertThat(found).as("%s instructions", keyword).hasSize(1);
        return found.getFirst();
    }

    static Set<Integer> exposed(List<Instruction> stage) {
        return all(stage, "EXPOSE").stream().flatMap(e -> Arrays.stream(e.split("\\s+")))
                .map(p -> Integer.parseInt(p.replace("/tcp", ""))).collect(Collectors.toSet());
    }

    /** The JSON-array ENTRYPOINT as a list of strings. */
    static List<String> entrypoint(List<Instruction> stage) {
        String json = one(stage, "ENTRYPOINT");
        assertThat(json).as("ENTRYPOINT in exec form, so java is PID 1 and gets SIGTERM").startsWith("[").endsWith("]");
        List<String> args = new ArrayList<>();
        Matcher m = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
        while (m.find()) {
            args.add(m.group(1));
        }
        return args;
    }

    /** COPY destinations of the final stage, by source. */
    static Map<String, String> copies(List<Instruction> stage) {
        Map<String, String> copies = new HashMap<>();
        for (String copy : all(stage, "COPY")) {
            String[] parts = Arrays.stream(copy.split("\\s+")).filter(p -> !p.startsWith("--")).toArray(String[]::new);
            copies.put(parts[0], parts[parts.length - 1]);
        }
        return copies;
    }

    static int uid(List<Instruction> stage) {
        return Integer.parseInt(one(stage, "USER").split(":")[0]);
    }

    static Object defaultValue(String... path) {
        return at(Chart.defaultValues(), path);
    }

    @Nested
    @DisplayName("gateway/Dockerfile")
    class Gateway {
        private final List<Instruction> stage = finalStage(parse(Chart.repositoryRoot().resolve("gateway/Dockerfile")));

        @Test
        void runsOnATemurinJre() {
            assertThat(one(stage, "FROM")).startsWith("eclipse-temurin:").contains("-jre");
        }

        @Test
        void copiesTheMavenBuiltJarAndItsLibs() {
            assertThat(copies(stage)).containsEntry("target/gridshare-gateway.jar", "/app/gridshare-gateway.jar")
                    .containsEntry("target/libs/", "/app/libs/");
        }

        @Test
        void startsHelidonFromTheCopiedJarAndLibs() {
            List<String> entrypoint = entrypoint(stage);
            assertThat(entrypoint.getFirst()).isEqualTo("java");
            assertThat(entrypoint).containsSubsequence("-cp", "/app/gridshare-gateway.jar:/app/libs/*")
                    .endsWith("io.helidon.microprofile.cdi.Main");
        }

        @Test
        void exposesThePortsTheChartDeclares() {
            assertThat(exposed(stage)).containsExactlyInAnyOrder(
                    (Integer) defaultValue("gateway", "ports", "http"),
                    (Integer) defaultValue("gateway", "ports", "grpc"),
                    (Integer) defaultValue("gateway", "ports", "hazelcast"));
        }

        @Test
        void runsAsTheNonRootUserTheChartRunsAs() {
            assertThat(uid(stage)).isPositive().isEqualTo(defaultValue("gateway", "podSecurityContext", "runAsUser"));
        }
    }

    @Nested
    @DisplayName("compute-node/Dockerfile")
    class ComputeNode {
        private final List<Instruction> instructions = parse(Chart.repositoryRoot().resolve("compute-node/Dockerfile"));
        private final List<Instruction> stage = finalStage(instructions);

        @Test
        void runsOnACudaRuntimeBaseWithATemurinJre() {
            String from = one(stage, "FROM");
            assertThat(from).isEqualTo("${CUDA_IMAGE}");
            assertThat(all(instructions, "ARG")).anySatisfy(arg -> assertThat(arg).matches("CUDA_IMAGE=nvidia/cuda:12\\.[0-9.]+-runtime-ubuntu24\\.04"));
            assertThat(all(instructions, "ARG")).anySatisfy(arg -> assertThat(arg).matches("JRE_IMAGE=eclipse-temurin:[0-9]+-jre-noble"));
            assertThat(all(instructions, "FROM")).contains("${JRE_IMAGE} AS jre");
            assertThat(all(stage, "COPY")).contains("--from=jre /opt/java/openjdk /opt/java/openjdk");
        }

        @Test
        void copiesTheMavenBuiltJarAndItsLibs() {
            assertThat(copies(stage)).containsEntry("target/gridshare-compute-node.jar", "/app/gridshare-compute-node.jar")
                    .containsEntry("target/libs/", "/app/libs/");
        }

        @Test
        void startsTheNodeWithTheVectorApiAndNativeAccess() {
            List<String> entrypoint = entrypoint(stage);
            assertThat(entrypoint.getFirst()).isEqualTo("java");
            assertThat(entrypoint).containsSubsequence("--add-modules", "jdk.incubator.vector")
                    .contains("--enable-native-access=ALL-UNNAMED")
                    .containsSubsequence("-cp", "/app/gridshare-compute-node.jar:/app/libs/*")
                    .endsWith("io.gridshare.node.NodeMain");
        }

        @Test
        void exposesTheHealthPortTheChartProbes() {
            assertThat(exposed(stage)).containsExactly((Integer) defaultValue("node", "ports", "health"));
        }

        @Test
        void runsAsTheNonRootUserTheChartRunsAs() {
            assertThat(uid(stage)).isPositive().isEqualTo(defaultValue("node", "podSecurityContext", "runAsUser"));
        }

        @Test
        void defaultsTheModelsDirectoryToTheChartsMountPath() {
            assertThat(all(stage, "ENV")).anySatisfy(env -> assertThat(env)
                    .contains("GRIDSHARE_NODE_MODELS_DIR=" + defaultValue("node", "models", "mountPath")));
        }
    }
}
