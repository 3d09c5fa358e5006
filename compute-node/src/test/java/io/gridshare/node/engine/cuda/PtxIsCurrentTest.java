package io.gridshare.node.engine.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed {@code llama.ptx} is what {@code scripts/build-ptx.sh} makes from
 * {@code src/main/cuda/llama.cu} today, and it assembles for the GPU generations nodes have.
 * Runs where nvcc exists (this needs no GPU); skipped with the reason elsewhere.
 */
class PtxIsCurrentTest {

    private static final Path MODULE = Path.of("").toAbsolutePath();
    private static final Path COMMITTED = MODULE.resolve("src/main/resources/io/gridshare/node/engine/cuda/llama.ptx");
    private static final Pattern RELEASE = Pattern.compile("(?m)^// Cuda compilation tools, release (\\S+),");

    @TempDir
    Path out;

    private static Optional<Path> tool(String name) {
        String env = System.getenv(name.toUpperCase());
        Stream<Path> candidates = Stream.concat(
                env == null ? Stream.empty() : Stream.of(Path.of(env)),
                Stream.concat(
                        Stream.of(System.getenv().getOrDefault("PATH", "").split(":")).filter(s -> !s.isEmpty())
                                .map(p -> Path.of(p, name)),
                        Stream.of(Path.of("/usr/local/bin", name), Path.of("/usr/local/cuda/bin", name))));
        return candidates.filter(Files::isExecutable).findFirst();
    }

    private static String run(List<String> command, Path workDir, String... env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
        for (int i = 0; i < env.length; i += 2) {
            builder.environment().put(env[i], env[i + 1]);
        }
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("%s finished", command).isTrue();
        assertThat(process.exitValue()).as("%s exit status; output:%n%s", command, output).isZero();
        return output;
    }

    /** The PTX without nvcc's comment header, which names the compiler build and nothing else. */
    static String normalized(String ptx) {
        return ptx.lines().dropWhile(line -> line.startsWith("//") || line.isBlank())
                .collect(Collectors.joining("\n"));
    }

    private static String release(String ptx) {
        Matcher m = RELEASE.matcher(ptx);
        return m.find() ? m.group(1) : "unknown";
    }

    @Test
    @DisplayName("the committed PTX matches what build-ptx.sh generates from llama.cu now")
    void committedPtxIsCurrent() throws Exception {
        Optional<Path> nvcc = tool("nvcc");
        assumeTrue(nvcc.isPresent(), "nvcc not found on PATH, in $NVCC, /usr/local/bin or /usr/local/cuda/bin:"
                + " the committed PTX cannot be regenerated here");
        assumeTrue(Files.isRegularFile(MODULE.resolve("src/main/cuda/llama.cu")),
                "src/main/cuda/llama.cu not found under " + MODULE + " (not run from the compute-node module)");
        run(List.of("bash", "scripts/build-ptx.sh", out.toString()), MODULE, "NVCC", nvcc.get().toString());

        String committed = Files.readString(COMMITTED);
        String generated = Files.readString(out.resolve("llama.ptx"));
        assumeTrue(release(committed).equals(release(generated)), "the committed PTX was made by nvcc "
                + release(committed) + " but this host has nvcc " + release(generated)
                + "; compare only with the same release");
        assertThat(normalized(generated))
                .as("committed %s is stale: run compute-node/scripts/build-ptx.sh and commit the result", COMMITTED)
                .isEqualTo(normalized(committed));
    }

    @Test
    @DisplayName("the committed PTX, as is and with the fallback ISA version, assembles for sm_75, sm_80 and sm_90")
    void committedPtxAssembles() throws Exception {
        Optional<Path> ptxas = tool("ptxas");
        assumeTrue(ptxas.isPresent(), "ptxas not found on PATH, in $PTXAS, /usr/local/bin or /usr/local/cuda/bin");
        String ptx = Files.readString(COMMITTED);
        Path asIs = out.resolve("as-is.ptx");
        Path lowered = out.resolve("fallback.ptx");
        Files.writeString(asIs, ptx);
        Files.writeString(lowered, KernelModule.withPtxVersion(ptx, KernelModule.FALLBACK_PTX_VERSION));
        for (Path file : List.of(asIs, lowered)) {
            for (String sm : List.of("sm_75", "sm_80", "sm_90")) {
                run(List.of(ptxas.get().toString(), "-arch=" + sm, "-o", out.resolve("out.cubin").toString(),
                        file.toString()), out);
            }
        }
    }

}
