package io.gridshare.node.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gridshare.node.model.TestModels;
import io.gridshare.node.model.gguf.Llama2cToGguf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelDirectoryLoaderTest {

    @TempDir
    Path dir;

    private List<InferenceEngine> engines = List.of();

    @AfterEach
    void close() {
        engines.forEach(InferenceEngine::close);
    }

    private static EngineConfig cpu() {
        return EngineConfig.defaults(1).withBackend(EngineConfig.Backend.CPU).withCpuThreads(1);
    }

    private void llama2cFolder() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("stories260K"));
        Files.copy(TestModels.stories260K().checkpoint(), folder.resolve("stories260K.bin"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(TestModels.stories260K().tokenizer(), folder.resolve("tok512.bin"), StandardCopyOption.REPLACE_EXISTING);
    }

    /** stories260K as GGUF under another general.name, so the two copies can be told apart. */
    private Path gguf(String fileName, String generalName) throws IOException {
        var files = TestModels.stories260K();
        return new Llama2cToGguf(Llama2cToGguf.ALL_F32, Llama2cToGguf.FLOAT_ENCODER)
                .toWriter(files.checkpoint(), files.tokenizer())
                .remove("general.name").putString("general.name", generalName).write(dir.resolve(fileName));
    }

    @Test
    @DisplayName("every GGUF file and llama2.c folder is served; a corrupt file is skipped and the others still load")
    void servesEverythingAndSkipsWhatCannotLoad() throws Exception {
        llama2cFolder();
        Path gguf = gguf("tiny-stories.gguf", "Tiny Stories");
        byte[] bytes = Files.readAllBytes(gguf);
        Files.write(dir.resolve("broken.gguf"), java.util.Arrays.copyOf(bytes, bytes.length / 2));

        engines = new ModelDirectoryLoader(dir, cpu()).loadAll(List.of());

        assertThat(engines).extracting(e -> e.model().name()).containsExactlyInAnyOrder("stories260K", "Tiny Stories");
        InferenceEngine ggufEngine = engines.stream().filter(e -> e.model().name().equals("Tiny Stories")).findFirst().orElseThrow();
        assertThat(ggufEngine.model().modelHash()).isEqualTo(io.gridshare.node.model.Sha256.of(gguf));
        assertThat(dir.resolve(ModelDirectoryLoader.HASH_CACHE_FILE)).exists();
    }

    @Test
    @DisplayName("named models are chosen by file name; an unknown name lists what the folder holds")
    void chosenByName() throws Exception {
        llama2cFolder();
        gguf("tiny-stories.gguf", "Tiny Stories");
        engines = new ModelDirectoryLoader(dir, cpu()).loadAll(List.of("tiny-stories"));
        assertThat(engines).extracting(e -> e.model().name()).containsExactly("Tiny Stories");
        engines.forEach(InferenceEngine::close);
        engines = new ModelDirectoryLoader(dir, cpu()).loadAll(List.of("Tiny Stories"));
        assertThat(engines).extracting(e -> e.model().name()).containsExactly("Tiny Stories");

        assertThatThrownBy(() -> new ModelDirectoryLoader(dir, cpu()).loadAll(List.of("llama-3.2-1b")))
                .isInstanceOf(IOException.class).hasMessageContaining("[llama-3.2-1b] not found")
                .hasMessageContaining("stories260K").hasMessageContaining("tiny-stories");
    }

    @Test
    @DisplayName("a folder without any model fails with what to put there")
    void emptyFolderFails() {
        assertThatThrownBy(() -> new ModelDirectoryLoader(dir, cpu()).loadAll(List.of()))
                .isInstanceOf(IOException.class).hasMessageContaining("no model found")
                .hasMessageContaining("*.gguf");
    }

    @Test
    @DisplayName("a file's hash is computed once and taken from the cache while size and mtime are unchanged")
    void hashIsCached() throws Exception {
        Path gguf = Llama2cToGguf.convert(dir.resolve("tiny-stories.gguf"));
        var cache = new io.gridshare.node.model.FileHashCache(dir.resolve("cache.properties"));
        String first = cache.sha256(gguf);
        // a different cache instance reads the stored entry: prove it by storing a marker value
        String stored = Files.readString(dir.resolve("cache.properties"));
        assertThat(stored).contains(first);
        Files.writeString(dir.resolve("cache.properties"), stored.replace(first, "cached-value"));
        assertThat(new io.gridshare.node.model.FileHashCache(dir.resolve("cache.properties")).sha256(gguf))
                .isEqualTo("cached-value");
        Files.setLastModifiedTime(gguf, java.nio.file.attribute.FileTime.fromMillis(
                Files.getLastModifiedTime(gguf).toMillis() + 5_000));
        assertThat(new io.gridshare.node.model.FileHashCache(dir.resolve("cache.properties")).sha256(gguf))
                .isEqualTo(first);
    }
}
