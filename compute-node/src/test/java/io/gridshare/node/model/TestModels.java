package io.gridshare.node.model;

import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;

/** The trained test model (stories260K) from the models directory; CI keeps it in ../shared/models. */
public final class TestModels {

    private TestModels() {}

    /** stories260K's files with their published hashes; fails the test with instructions when absent. */
    public static ModelFiles stories260K() {
        Path dir = ModelsDirectory.resolve();
        ModelFiles files = ModelFiles.stories260K(dir);
        if (!Files.isRegularFile(files.checkpoint()) || !Files.isRegularFile(files.tokenizer())) {
            fail(ModelsDirectory.howToProvide(dir));
        }
        return files;
    }

    /** The reference output of llama2.c's run.c for stories260K, empty prompt, greedy, 256 steps. */
    public static Path referenceGreedy256() {
        return stories260K().checkpoint().resolveSibling("reference-greedy-256.txt");
    }
}
