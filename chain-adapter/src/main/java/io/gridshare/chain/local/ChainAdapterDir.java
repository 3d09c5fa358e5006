package io.gridshare.chain.local;

import io.gridshare.chain.ChainException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the chain-adapter module directory (package.json with the pinned anvil, the forge output)
 * from any module's working directory: the system property {@code gridshare.chainAdapterDir}, the
 * environment variable {@code GRIDSHARE_CHAIN_ADAPTER_DIR}, or a search upward from the working
 * directory for {@code chain-adapter/package.json}.
 */
public final class ChainAdapterDir {
    public static final String PROPERTY = "gridshare.chainAdapterDir";
    public static final String ENV = "GRIDSHARE_CHAIN_ADAPTER_DIR";

    private ChainAdapterDir() {
    }

    public static Path locate() {
        String configured = System.getProperty(PROPERTY, System.getenv(ENV));
        if (configured != null && !configured.isBlank()) {
            Path dir = Path.of(configured).toAbsolutePath().normalize();
            if (!Files.isRegularFile(dir.resolve("package.json"))) {
                throw new ChainException(PROPERTY + "/" + ENV + " points at " + dir + ", which has no package.json");
            }
            return dir;
        }
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (dir.getFileName() != null && dir.getFileName().toString().equals("chain-adapter")
                    && Files.isRegularFile(dir.resolve("package.json"))) {
                return dir;
            }
            Path candidate = dir.resolve("chain-adapter");
            if (Files.isRegularFile(candidate.resolve("package.json"))) {
                return candidate;
            }
        }
        throw new ChainException("Cannot find the chain-adapter directory (with package.json) above " + start
                + ": set -D" + PROPERTY + "=<path> or " + ENV);
    }
}
