package io.gridshare.node.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelsDirectoryTest {

    @TempDir
    Path tmp;

    @Test
    void sharedModelsBesideTheRepositoryRootAreFoundFromAModuleDirectory() throws Exception {
        Path clone = Files.createDirectories(tmp.resolve("clone"));
        Files.writeString(clone.resolve("mvnw"), "#!/bin/sh\n");
        Path module = Files.createDirectories(clone.resolve("compute-node/src"));
        assertThat(ModelsDirectory.fromRepositoryRoot(module)).isEqualTo(tmp.resolve("shared/models"));
    }

    @Test
    void systemPropertyOverridesTheDefault() {
        String before = System.getProperty(ModelsDirectory.PROPERTY);
        try {
            System.setProperty(ModelsDirectory.PROPERTY, tmp.toString());
            assertThat(ModelsDirectory.resolve()).isEqualTo(tmp.toAbsolutePath());
        } finally {
            if (before == null) {
                System.clearProperty(ModelsDirectory.PROPERTY);
            } else {
                System.setProperty(ModelsDirectory.PROPERTY, before);
            }
        }
    }
}
