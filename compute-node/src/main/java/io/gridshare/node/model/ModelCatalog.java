package io.gridshare.node.model;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * What a models folder holds: every {@code *.gguf} file in it or in its subfolders (one level),
 * and every llama2.c pair ({@code <name>/<name>.bin} with {@code tokenizer.bin} or one
 * {@code tok*.bin}; stories260K with its published hashes). A node serves all of them unless the
 * operator names some.
 */
public final class ModelCatalog {

    /** One model found in the folder. */
    public sealed interface Entry permits GgufEntry, Llama2cEntry {
        /** The file name without extension (GGUF) or the folder name (llama2.c). */
        String fileName();

        Path path();
    }

    /** A GGUF file. */
    public record GgufEntry(String fileName, Path path) implements Entry {}

    /** A llama2.c checkpoint and its tokenizer. */
    public record Llama2cEntry(String fileName, Path path, ModelFiles files) implements Entry {}

    private ModelCatalog() {}

    /** Scans {@code dir}; an absent folder holds nothing. Sorted by path, so the order is stable. */
    public static List<Entry> scan(Path dir) throws IOException {
        List<Entry> found = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return found;
        }
        try (DirectoryStream<Path> top = Files.newDirectoryStream(dir)) {
            for (Path p : top) {
                if (isGguf(p)) {
                    found.add(new GgufEntry(stem(p), p));
                } else if (Files.isDirectory(p) && !p.getFileName().toString().startsWith(".")) {
                    scanFolder(p, found);
                }
            }
        }
        found.sort(Comparator.comparing(e -> e.path().toString()));
        return found;
    }

    private static void scanFolder(Path folder, List<Entry> found) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(folder)) {
            for (Path p : s) {
                if (isGguf(p)) {
                    found.add(new GgufEntry(stem(p), p));
                }
            }
        }
        String name = folder.getFileName().toString();
        Path checkpoint = folder.resolve(name + ".bin");
        if (!Files.isRegularFile(checkpoint)) {
            return;
        }
        try {
            found.add(new Llama2cEntry(name, checkpoint, ModelFiles.besideCheckpoint(checkpoint)));
        } catch (ModelFormatException e) {
            // no tokenizer, or several: not a model folder this node can serve; nothing to list
        }
    }

    private static boolean isGguf(Path p) {
        return Files.isRegularFile(p) && p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gguf");
    }

    private static String stem(Path p) {
        String f = p.getFileName().toString();
        return f.substring(0, f.length() - ".gguf".length());
    }
}
