package io.gridshare.node.model;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code models pull <dir> [--base-url URL]}: downloads stories260K ({@code stories260K.bin},
 * {@code tok512.bin}) from Hugging Face ({@code karpathy/tinyllamas}, folder {@code stories260K})
 * into {@code <dir>/stories260K/}, checking each file's sha256 before it is moved into place. A
 * file already present with the right hash is kept.
 */
public final class ModelsCommand {

    public static final String DEFAULT_BASE_URL = "https://huggingface.co/karpathy/tinyllamas/resolve/main/stories260K/";

    /** One file to fetch and the hash it must have. */
    public record RemoteFile(String name, String sha256) {}

    public static final List<RemoteFile> STORIES260K = List.of(
            new RemoteFile("stories260K.bin", ModelFiles.STORIES260K_SHA256),
            new RemoteFile("tok512.bin", ModelFiles.TOK512_SHA256));

    private final HttpClient http;
    private final URI baseUrl;
    private final PrintStream out;

    public ModelsCommand(HttpClient http, URI baseUrl, PrintStream out) {
        this.http = http;
        this.baseUrl = baseUrl.toString().endsWith("/") ? baseUrl : URI.create(baseUrl + "/");
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command line; returns the exit status (0 ok, 1 failed, 2 usage). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length < 2 || !args[0].equals("pull")) {
            err.println("usage: models pull <dir> [--base-url URL]   (downloads stories260K into <dir>/stories260K)");
            return 2;
        }
        URI base = URI.create(DEFAULT_BASE_URL);
        for (int i = 2; i < args.length; i++) {
            if (args[i].equals("--base-url") && i + 1 < args.length) {
                base = URI.create(args[++i]);
            } else {
                err.println("unknown argument " + args[i] + "; usage: models pull <dir> [--base-url URL]");
                return 2;
            }
        }
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(20)).build();
        try {
            new ModelsCommand(http, base, out).pull(Path.of(args[1]).resolve("stories260K"), STORIES260K);
            return 0;
        } catch (IOException e) {
            err.println("models pull failed: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("models pull interrupted");
            return 1;
        }
    }

    /**
     * Downloads {@code files} into {@code dir}.
     *
     * @return the paths of the files, now present with their expected hashes
     * @throws ModelFormatException naming the URL and both hashes when a download's sha256
     *     differs (nothing is left in {@code dir} for that file)
     */
    public List<Path> pull(Path dir, List<RemoteFile> files) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        List<Path> result = new ArrayList<>();
        for (RemoteFile f : files) {
            Path target = dir.resolve(f.name());
            if (Files.isRegularFile(target) && Sha256.of(target).equals(f.sha256())) {
                out.println(target + ": present, sha256 ok");
                result.add(target);
                continue;
            }
            URI uri = baseUrl.resolve(f.name());
            Path tmp = Files.createTempFile(dir, f.name(), ".part");
            try {
                HttpResponse<Path> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5)).GET().build(),
                        HttpResponse.BodyHandlers.ofFile(tmp));
                if (response.statusCode() != 200) {
                    throw new IOException("GET " + uri + " answered HTTP " + response.statusCode());
                }
                String actual = Sha256.of(tmp);
                if (!actual.equals(f.sha256())) {
                    throw new ModelFormatException(target, "sha256 mismatch for the download from " + uri + ": expected "
                            + f.sha256() + " but got " + actual + "; the file was not saved");
                }
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                out.println(target + ": downloaded from " + uri + ", sha256 ok");
                result.add(target);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        return result;
    }
}
