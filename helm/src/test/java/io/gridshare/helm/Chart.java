package io.gridshare.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The chart under test, rendered by Helm itself (helm-java runs Helm's Go code in this JVM).
 */
final class Chart {

    static final String RELEASE = "gs";
    static final String NAMESPACE = "grid";

    private Chart() {
    }

    /** The helm module's directory; surefire runs with it as the working directory. */
    static Path moduleDir() {
        Path basedir = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        if (Files.isDirectory(basedir.resolve("gridshare"))) {
            return basedir;
        }
        Path fromRoot = basedir.resolve("helm");
        if (Files.isDirectory(fromRoot.resolve("gridshare"))) {
            return fromRoot;
        }
        throw new IllegalStateException("cannot find the chart: run the tests from the helm module or the repository root, not " + basedir);
    }

    static Path dir() {
        return moduleDir().resolve("gridshare");
    }

    static Path ciValues(String fileName) {
        return dir().resolve("ci").resolve(fileName);
    }

    static Path repositoryRoot() {
        return moduleDir().getParent();
    }

    /** Renders the chart with the given values files (later files win) and --set pairs. */
    static Manifests render(List<Path> valuesFiles, Map<String, Object> sets) {
        TemplateCommand template = new Helm(dir()).template().withName(RELEASE).withNamespace(NAMESPACE);
        for (Path valuesFile : valuesFiles) {
            template = template.withValuesFile(valuesFile);
        }
        for (Map.Entry<String, Object> set : sets.entrySet()) {
            template = template.set(set.getKey(), set.getValue());
        }
        return Manifests.parse(template.call());
    }

    static Manifests render(Path... valuesFiles) {
        return render(List.of(valuesFiles), Map.of());
    }

    /** The chart's own values.yaml, parsed, for tests that compare rendered output with defaults. */
    static Map<String, Object> defaultValues() {
        try {
            return new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(dir().resolve("values.yaml")));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static List<Path> ciValuesFiles() {
        try (var files = Files.list(dir().resolve("ci"))) {
            return new ArrayList<>(files.filter(f -> f.getFileName().toString().endsWith("-values.yaml")).sorted().toList());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
