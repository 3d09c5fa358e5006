package io.gridshare.node.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code models pull} against a loopback HTTP server standing in for Hugging Face. */
class ModelsCommandTest {

    @TempDir
    Path tmp;

    private HttpServer server;
    private final Map<String, byte[]> served = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();
    private URI base;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void startServer() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/karpathy/tinyllamas/resolve/main/stories260K/", exchange -> {
            requests.incrementAndGet();
            String name = Path.of(exchange.getRequestURI().getPath()).getFileName().toString();
            byte[] body = served.get(name);
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/karpathy/tinyllamas/resolve/main/stories260K/");
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private ModelsCommand command() {
        return new ModelsCommand(HttpClient.newHttpClient(), base, new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    @Test
    void pullDownloadsTheFilesAndChecksTheirHashes() throws Exception {
        byte[] a = "checkpoint bytes".getBytes(StandardCharsets.UTF_8), b = "tokenizer bytes".getBytes(StandardCharsets.UTF_8);
        served.put("a.bin", a);
        served.put("b.bin", b);
        List<Path> files = command().pull(tmp.resolve("models"), List.of(
                new ModelsCommand.RemoteFile("a.bin", Sha256.of(a)), new ModelsCommand.RemoteFile("b.bin", Sha256.of(b))));
        assertThat(files).hasSize(2);
        assertThat(Files.readAllBytes(files.get(0))).isEqualTo(a);
        assertThat(Files.readAllBytes(files.get(1))).isEqualTo(b);
    }

    @Test
    void aDownloadWithTheWrongHashIsRefusedAndNotSaved() throws Exception {
        served.put("a.bin", "tampered".getBytes(StandardCharsets.UTF_8));
        Path dir = tmp.resolve("models");
        assertThatThrownBy(() -> command().pull(dir, List.of(new ModelsCommand.RemoteFile("a.bin", "ab".repeat(32)))))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("sha256 mismatch")
                .hasMessageContaining(base.resolve("a.bin").toString());
        try (var listing = Files.list(dir)) {
            assertThat(listing).isEmpty();
        }
    }

    @Test
    void filesAlreadyPresentWithTheRightHashAreNotDownloadedAgain() throws Exception {
        byte[] a = "model".getBytes(StandardCharsets.UTF_8);
        Path dir = Files.createDirectories(tmp.resolve("models"));
        Files.write(dir.resolve("a.bin"), a);
        command().pull(dir, List.of(new ModelsCommand.RemoteFile("a.bin", Sha256.of(a))));
        assertThat(requests).hasValue(0);
    }

    @Test
    void pullCommandLineFetchesStories260KFromTheBaseUrl() throws Exception {
        ModelFiles real = TestModels.stories260K();
        served.put("stories260K.bin", Files.readAllBytes(real.checkpoint()));
        served.put("tok512.bin", Files.readAllBytes(real.tokenizer()));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ModelsCommand.run(new String[] {"pull", tmp.toString(), "--base-url", base.toString()},
                new PrintStream(log, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(ModelFiles.stories260K(tmp).verifiedHashes())
                .containsExactly(ModelFiles.STORIES260K_SHA256, ModelFiles.TOK512_SHA256);
    }

    @Test
    void httpErrorsAndBadUsageGiveNonZeroStatus() {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(ModelsCommand.run(new String[] {"pull", tmp.toString(), "--base-url", base.toString()}, sink,
                new PrintStream(err, true, StandardCharsets.UTF_8))).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("HTTP 404");
        assertThat(ModelsCommand.run(new String[] {"push"}, sink, sink)).isEqualTo(2);
    }
}
