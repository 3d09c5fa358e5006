package io.gridshare.node.model;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the directory that holds the node's models: the system property
 * {@value #PROPERTY}, else the environment variable {@value #ENV}, else {@code shared/models}
 * beside the repository root (found by walking up from the working directory to the folder
 * holding {@code mvnw}), which is where CI and the development machines keep them.
 */
public final class ModelsDirectory {

    public static final String PROPERTY = "gridshare.models.dir";
    public static final String ENV = "GRIDSHARE_MODELS_DIR";

    private ModelsDirectory() {}

    /** The configured or discovered directory; it may not exist. */
    public static Path resolve() {
        String prop = System.getProperty(PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath();
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath();
        }
        Path start = Path.of(System.getProperty("maven.multiModuleProjectDirectory", "")).toAbsolutePath();
        return fromRepositoryRoot(start);
    }

    static Path fromRepositoryRoot(Path start) {
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("mvnw")) && dir.getParent() != null) {
                return dir.getParent().resolve("shared").resolve("models");
            }
        }
        return start.resolve("shared").resolve("models");
    }

    /** A message that says how to make the models available. */
    public static String howToProvide(Path dir) {
        return "models directory " + dir + " does not hold the model; set -D" + PROPERTY + "=<dir> or " + ENV
                + ", or download with: java io.gridshare.node.model.ModelsCommand pull " + dir;
    }
}
