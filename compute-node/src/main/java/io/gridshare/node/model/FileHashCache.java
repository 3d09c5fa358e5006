package io.gridshare.node.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * The sha256 of model files, computed once: a multi-gigabyte file takes seconds to hash, so the
 * result is kept in a properties file keyed by the file's absolute path, size and modification
 * time, and computed again only when one of them changes. The cache file is best-effort: when it
 * cannot be written (a read-only models folder) hashes are still computed and only kept in memory.
 */
public final class FileHashCache {

    private static final System.Logger LOG = System.getLogger(FileHashCache.class.getName());

    private final Path store;
    private final Properties entries = new Properties();

    /** A cache kept in {@code store} (created when first written). */
    public FileHashCache(Path store) {
        this.store = store;
        if (Files.isRegularFile(store)) {
            try (InputStream in = Files.newInputStream(store)) {
                entries.load(in);
            } catch (IOException | IllegalArgumentException e) {
                LOG.log(System.Logger.Level.WARNING, "ignoring unreadable hash cache " + store + ": " + e);
                entries.clear();
            }
        }
    }

    /** The sha256 of {@code file} (lowercase hex), from the cache when the file is unchanged. */
    public synchronized String sha256(Path file) throws IOException {
        Path abs = file.toAbsolutePath().normalize();
        String key = abs + "|" + Files.size(abs) + "|" + Files.getLastModifiedTime(abs).toMillis();
        String hash = entries.getProperty(key);
        if (hash != null) {
            return hash;
        }
        hash = Sha256.of(abs);
        entries.setProperty(key, hash);
        save();
        return hash;
    }

    private void save() {
        try {
            Files.createDirectories(store.toAbsolutePath().getParent());
            Path tmp = store.resolveSibling(store.getFileName() + ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                entries.store(out, "sha256 of model files by path|size|mtime");
            }
            try {
                Files.move(tmp, store, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, store, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.INFO, "model hashes not cached (" + store + " not writable: " + e + ")");
        }
    }
}
