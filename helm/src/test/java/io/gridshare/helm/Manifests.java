package io.gridshare.helm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Kubernetes objects of one rendering, parsed from Helm's multi-document YAML, with the
 * small amount of navigation the tests need.
 */
final class Manifests {

    private final List<Map<String, Object>> objects;

    private Manifests(List<Map<String, Object>> objects) {
        this.objects = List.copyOf(objects);
    }

    static Manifests parse(String yaml) {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
            if (document != null) {
                objects.add(map(document));
            }
        }
        return new Manifests(objects);
    }

    List<Map<String, Object>> all() {
        return objects;
    }

    List<Map<String, Object>> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
    }

    Optional<Map<String, Object>> find(String kind, String name) {
        return ofKind(kind).stream().filter(o -> name.equals(name(o))).findFirst();
    }

    Map<String, Object> get(String kind, String name) {
        return find(kind, name).orElseThrow(() -> new AssertionError(
                "no " + kind + " named " + name + " in the rendering; found " + objects.stream().map(o -> o.get("kind") + "/" + name(o)).toList()));
    }

    Map<String, Object> only(String kind) {
        List<Map<String, Object>> found = ofKind(kind);
        if (found.size() != 1) {
            throw new AssertionError("expected exactly one " + kind + ", found " + found.size());
        }
        return found.getFirst();
    }

    /** Workloads whose pod template carries every label of the selector. */
    List<Map<String, Object>> workloadsSelectedBy(Map<String, Object> selector) {
        return workloads().stream().filter(w -> matches(selector, podLabels(w))).toList();
    }

    List<Map<String, Object>> workloads() {
        List<Map<String, Object>> workloads = new ArrayList<>(ofKind("StatefulSet"));
        workloads.addAll(ofKind("DaemonSet"));
        workloads.addAll(ofKind("Deployment"));
        return workloads;
    }

    // ---- navigation over the parsed YAML

    static String name(Map<String, Object> object) {
        return (String) map(object.get("metadata")).get("name");
    }

    static Map<String, Object> podSpec(Map<String, Object> workload) {
        return map(at(workload, "spec", "template", "spec"));
    }

    static Map<String, Object> podLabels(Map<String, Object> workload) {
        return map(at(workload, "spec", "template", "metadata", "labels"));
    }

    static Map<String, Object> podAnnotations(Map<String, Object> workload) {
        return map(at(workload, "spec", "template", "metadata", "annotations"));
    }

    static List<Map<String, Object>> containers(Map<String, Object> workload) {
        return maps(podSpec(workload).get("containers"));
    }

    static Map<String, Object> container(Map<String, Object> workload) {
        List<Map<String, Object>> containers = containers(workload);
        if (containers.size() != 1) {
            throw new AssertionError("expected one container in " + name(workload) + ", found " + containers.size());
        }
        return containers.getFirst();
    }

    /** The value of an env var given inline ({@code value:}); fails when absent. */
    static String envValue(Map<String, Object> container, String variable) {
        return env(container, variable)
                .map(e -> (String) e.get("value"))
                .orElseThrow(() -> new AssertionError("container " + container.get("name") + " has no env " + variable));
    }

    static Optional<Map<String, Object>> env(Map<String, Object> container, String variable) {
        return maps(container.getOrDefault("env", List.of())).stream().filter(e -> variable.equals(e.get("name"))).findFirst();
    }

    static boolean matches(Map<String, Object> selector, Map<String, Object> labels) {
        return !selector.isEmpty() && selector.entrySet().stream().allMatch(e -> Objects.equals(labels.get(e.getKey()), e.getValue()));
    }

    static Object at(Object root, String... path) {
        Object current = root;
        for (String key : path) {
            if (!(current instanceof Map<?, ?> m) || !m.containsKey(key)) {
                throw new AssertionError("missing " + String.join(".", path) + " (stopped at " + key + ")");
            }
            current = m.get(key);
        }
        return current;
    }

    static Optional<Object> maybe(Object root, String... path) {
        Object current = root;
        for (String key : path) {
            if (!(current instanceof Map<?, ?> m) || !m.containsKey(key)) {
                return Optional.empty();
            }
            current = m.get(key);
        }
        return Optional.ofNullable(current);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        if (o == null) {
            return Map.of();
        }
        if (!(o instanceof Map<?, ?>)) {
            throw new AssertionError("expected a mapping, found " + o);
        }
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> maps(Object o) {
        if (o == null) {
            return List.of();
        }
        if (!(o instanceof List<?>)) {
            throw new AssertionError("expected a list, found " + o);
        }
        return (List<Map<String, Object>>) o;
    }
}
