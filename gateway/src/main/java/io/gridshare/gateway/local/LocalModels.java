package io.gridshare.gateway.local;

import io.gridshare.node.model.ModelFiles;
import io.gridshare.node.model.ModelsCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the stories260K model for the local network's nodes: {@code $GRIDSHARE_MODELS_DIR} (or
 * {@code -Dgridshare.models.dir}), else {@code ../shared/models} beside the repository when it holds
 * the model, else a download from Hugging Face into {@code .gridshare/models} with the published
 * sha256 checked. Where none works the exception says exactly what to do.
 */
public final class LocalModels {
    public static final String ENV = "GRIDSHARE_MODELS_DIR";
    public static final String PROPERTY = "gridshare.models.dir";
    public static final String MODEL = "stories260K";

    private LocalModels() {
    }

    /** The models directory (holding {@code stories260K/}) with both files present and their hashes verified. */
    public static Path resolve(Path repositoryRoot, PrintStream out) {
        Optional<String> configured = Optional.ofNullable(System.getProperty(PROPERTY)).or(() -> Optional.ofNullable(System.getenv(ENV)))
                .filter(s -> !s.isBlank());
        if (configured.isPresent()) {
            Path dir = Path.of(configured.get()).toAbsolutePath();
            if (!verified(dir)) {
                throw new IllegalStateException(ENV + "=" + dir + " does not hold " + MODEL + "/stories260K.bin and "
                        + MODEL + "/tok512.bin with their published hashes. Fix it with: java -cp <classpath> "
                        + ModelsCommand.class.getName() + " pull " + dir + "  (or unset " + ENV + ")");
            }
            return dir;
        }
        Path shared = repositoryRoot.resolve("../shared/models").normalize().toAbsolutePath();
        if (verified(shared)) {
            return shared;
        }
        Path local = repositoryRoot.resolve(".gridshare/models").toAbsolutePath();
        if (verified(local)) {
            return local;
        }
        out.println("[models] downloading " + MODEL + " from " + ModelsCommand.DEFAULT_BASE_URL + " into " + local);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ModelsCommand.run(new String[] {"pull", local.toString()}, out,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        if (status != 0 || !verified(local)) {
            throw new IllegalStateException("No " + MODEL + " model: " + err.toString(StandardCharsets.UTF_8).strip()
                    + "\nDo one of these, then run the command again:\n"
                    + "  - download stories260K.bin and tok512.bin from " + ModelsCommand.DEFAULT_BASE_URL
                    + " into " + local.resolve(MODEL) + "\n"
                    + "  - or set " + ENV + " to a directory that has " + MODEL + "/stories260K.bin and " + MODEL
                    + "/tok512.bin");
        }
        return local;
    }

    private static boolean verified(Path modelsDir) {
        ModelFiles files = ModelFiles.stories260K(modelsDir);
        if (!Files.isRegularFile(files.checkpoint()) || !Files.isRegularFile(files.tokenizer())) {
            return false;
        }
        try {
            files.verifiedHashes();
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
