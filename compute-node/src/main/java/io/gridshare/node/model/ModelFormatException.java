package io.gridshare.node.model;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A model file that cannot be used: truncated, corrupt, inconsistent with its tokenizer, or not the
 * file its expected sha256 names. The message names the file and the problem.
 */
public class ModelFormatException extends IOException {

    private final Path file;

    public ModelFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
