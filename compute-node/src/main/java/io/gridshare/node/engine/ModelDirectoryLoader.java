package io.gridshare.node.engine;

import io.gridshare.node.model.FileHashCache;
import io.gridshare.node.model.ModelCatalog;
import io.gridshare.node.model.gguf.GgufFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Loads the models a node serves from its models folder ({@link ModelCatalog}): all of them, or
 * those the operator names. A model that fails to load (a corrupt file, an architecture or
 * tensor type this node does not run) is logged with its reason and skipped, so the node keeps
 * serving the others; only a node left with no model at all fails. GGUF hashes come from a
 * {@link FileHashCache} kept in the folder, so a restart does not hash gigabytes again.
 */
public final class ModelDirectoryLoader {

    private static final System.Logger LOG = System.getLogger(ModelDirectoryLoader.class.getName());
    /** The hash cache's file in the models folder. */
    public static final String HASH_CACHE_FILE = ".gridshare-sha256.properties";

    private final Path dir;
    private final EngineConfig config;
    private final FileHashCache hashes;

    public ModelDirectoryLoader(Path dir, EngineConfig config) {
        this.dir = dir;
        this.config = config;
        this.hashes = new FileHashCache(dir.resolve(HASH_CACHE_FILE));
    }

    /**
     * Loads every model found, or those named in {@code names} (a GGUF file's name without
     * {@code .gguf} or its {@code general.name}; a llama2.c folder's name).
     *
     * @throws IOException when a named model is not in the folder, or no model could be loaded;
     *     the message lists what was found and why each failed
     */
    public List<InferenceEngine> loadAll(List<String> names) throws IOException {
        List<ModelCatalog.Entry> found = ModelCatalog.scan(dir);
        List<ModelCatalog.Entry> chosen = names.isEmpty() ? found : select(found, names);
        List<InferenceEngine> engines = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (ModelCatalog.Entry entry : chosen) {
            try {
                InferenceEngine engine = load(entry);
                LOG.log(System.Logger.Level.INFO, "loaded model " + engine.model().name() + " from " + entry.path() + " ("
                        + engine.model().modelHash() + ", " + engine.model().architecture() + ", "
                        + engine.model().quantization() + ", context " + engine.model().contextLength() + ") on "
                        + engine.backend().name() + ": " + engine.backend().detail());
                engines.add(engine);
            } catch (IOException | BackendUnavailableException | RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "model " + entry.path() + " not served: " + e.getMessage());
                failures.add(entry.path().getFileName() + ": " + e.getMessage());
            }
        }
        if (engines.isEmpty()) {
            throw new IOException(found.isEmpty()
                    ? "no model found in " + dir.toAbsolutePath() + ": put *.gguf files there (or llama2.c checkpoints,"
                            + " one folder each) or set GRIDSHARE_NODE_MODELS_DIR"
                    : "no model could be loaded from " + dir.toAbsolutePath() + ": " + String.join("; ", failures));
        }
        return engines;
    }

    private InferenceEngine load(ModelCatalog.Entry entry) throws IOException, BackendUnavailableException {
        return switch (entry) {
            case ModelCatalog.GgufEntry g -> Engines.loadGguf(g.path(), hashes.sha256(g.path()), config);
            case ModelCatalog.Llama2cEntry l -> Engines.load(l.files(), config);
        };
    }

    private static List<ModelCatalog.Entry> select(List<ModelCatalog.Entry> found, List<String> names) throws IOException {
        Set<ModelCatalog.Entry> chosen = new LinkedHashSet<>();
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            List<ModelCatalog.Entry> matches = found.stream().filter(e -> e.fileName().equals(name)).toList();
            if (matches.isEmpty()) {
                matches = found.stream().filter(e -> e instanceof ModelCatalog.GgufEntry && name.equals(generalName(e.path())))
                        .toList();
            }
            if (matches.isEmpty()) {
                missing.add(name);
            }
            chosen.addAll(matches);
        }
        if (!missing.isEmpty()) {
            throw new IOException("model(s) " + missing + " not found; the models folder holds "
                    + found.stream().map(e -> e.fileName()).toList()
                    + " (name a GGUF file without .gguf, its general.name, or a llama2.c folder)");
        }
        return new ArrayList<>(chosen);
    }

    private static String generalName(Path gguf) {
        try (GgufFile f = GgufFile.open(gguf)) {
            return f.metadata().string("general.name").orElse(null);
        } catch (IOException e) {
            return null;
        }
    }
}
