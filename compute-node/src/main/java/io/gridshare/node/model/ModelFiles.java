package io.gridshare.node.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Where one model's files are, and optionally the sha256 each must have.
 *
 * @param name the model's name as the node advertises it
 * @param checkpoint the llama2.c checkpoint
 * @param tokenizer the llama2.c tokenizer.bin
 * @param expectedCheckpointSha256 lowercase hex, or null to accept any file
 * @param expectedTokenizerSha256 lowercase hex, or null to accept any file
 */
public record ModelFiles(String name, Path checkpoint, Path tokenizer, String expectedCheckpointSha256,
                         String expectedTokenizerSha256) {

    /** stories260K's checkpoint hash (Hugging Face karpathy/tinyllamas). */
    public static final String STORIES260K_SHA256 = "b0a507e7ad0f626624f17112325e66691f9076d622e1d3274d103d00299f2696";
    /** tok512.bin's hash. */
    public static final String TOK512_SHA256 = "037cb335abb25d1fa9e8ecae30ed2a3a8ace9302862ebcdc05d51a6bbb10c312";

    public ModelFiles {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(tokenizer, "tokenizer");
        expectedCheckpointSha256 = expectedCheckpointSha256 == null ? null : expectedCheckpointSha256.toLowerCase(Locale.ROOT);
        expectedTokenizerSha256 = expectedTokenizerSha256 == null ? null : expectedTokenizerSha256.toLowerCase(Locale.ROOT);
    }

    /** Files without expected hashes; the name is the checkpoint's file name without extension. */
    public static ModelFiles of(Path checkpoint, Path tokenizer) {
        String file = checkpoint.getFileName().toString();
        int dot = file.lastIndexOf('.');
        return new ModelFiles(dot > 0 ? file.substring(0, dot) : file, checkpoint, tokenizer, null, null);
    }

    /**
     * A llama2.c checkpoint and the tokenizer beside it: {@code tokenizer.bin}, else the one
     * {@code tok*.bin} in the same folder; stories260K.bin gets its published hashes.
     */
    public static ModelFiles besideCheckpoint(Path checkpoint) throws IOException {
        Path dir = checkpoint.toAbsolutePath().getParent();
        if (checkpoint.getFileName().toString().equals("stories260K.bin") && dir.getParent() != null) {
            return stories260K(dir.getParent());
        }
        Path tokenizer = dir.resolve("tokenizer.bin");
        if (!java.nio.file.Files.isRegularFile(tokenizer)) {
            java.util.List<Path> candidates = new java.util.ArrayList<>();
            try (var s = java.nio.file.Files.newDirectoryStream(dir, "tok*.bin")) {
                s.forEach(candidates::add);
            }
            if (candidates.size() != 1) {
                throw new ModelFormatException(checkpoint, "a llama2.c checkpoint needs tokenizer.bin or exactly one tok*.bin"
                        + " beside it in " + dir + ", found " + candidates);
            }
            tokenizer = candidates.getFirst();
        }
        return of(checkpoint, tokenizer);
    }

    /** stories260K and tok512 in {@code modelsDir/stories260K/}, with their published hashes. */
    public static ModelFiles stories260K(Path modelsDir) {
        Path dir = modelsDir.resolve("stories260K");
        return new ModelFiles("stories260K", dir.resolve("stories260K.bin"), dir.resolve("tok512.bin"),
                STORIES260K_SHA256, TOK512_SHA256);
    }

    /**
     * Hashes both files and checks them against the expected hashes, if any.
     *
     * @return {checkpointSha256, tokenizerSha256}
     * @throws ModelFormatException naming the file whose hash differs
     */
    public String[] verifiedHashes() throws IOException {
        String ck = Sha256.of(checkpoint);
        check(checkpoint, ck, expectedCheckpointSha256);
        String tok = Sha256.of(tokenizer);
        check(tokenizer, tok, expectedTokenizerSha256);
        return new String[] {ck, tok};
    }

    static void check(Path file, String actual, String expected) throws ModelFormatException {
        if (expected != null && !expected.equals(actual)) {
            throw new ModelFormatException(file, "sha256 mismatch: expected " + expected + " but the file has "
                    + actual + "; the file is corrupt or a different model, download it again");
        }
    }
}
