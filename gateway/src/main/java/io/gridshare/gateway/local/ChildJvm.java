package io.gridshare.gateway.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Java process the local network started: same JDK, same class path, the Vector API module, its
 * settings as {@code -D} system properties and its output in a log file. {@link #close()} stops it
 * (SIGTERM, then SIGKILL after a grace period) together with anything it started.
 */
public final class ChildJvm implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ChildJvm.class.getName());
    private static final long GRACE_SECONDS = 10;

    private final String name;
    private final Process process;
    private final Path log;

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code mainClass} in a new JVM.
     *
     * @param name a short name for logs ("gateway-a", "node-1")
     * @param mainClass the class whose main runs
     * @param properties system properties given as {@code -Dkey=value}
     * @param args program arguments
     * @param logDir where {@code <name>.log} is written
     */
    public static ChildJvm start(String name, String mainClass, Map<String, String> properties, List<String> args,
                                 Path logDir) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--add-modules");
        command.add("jdk.incubator.vector");
        command.add("-XX:+UseSerialGC");
        command.add("-Xss1m");
        command.add("-Dgridshare.local.child=" + name);
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        try {
            Files.createDirectories(logDir);
            Path log = logDir.resolve(name + ".log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            return new ChildJvm(name, process, log);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + name + " (" + mainClass + "): " + e.getMessage(), e);
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The last lines of the process's log, for error messages. */
    /**
     * Polls {@code url} until it answers 200, failing fast when this process exits first.
     *
     * @param what how the waiting reads in an error, e.g. "ready" or "linked to a gateway"
     * @throws IllegalStateException naming the last answer and ending with this process's log tail
     */
    public void awaitHttpOk(java.net.URI url, java.time.Duration timeout, String what) {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .connectTimeout(java.time.Duration.ofSeconds(2)).build();
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(url)
                .timeout(java.time.Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!isAlive()) {
                throw new IllegalStateException(name + " exited before it was " + what + "; its log (" + log()
                        + ") ends with:\n" + logTail());
            }
            try {
                java.net.http.HttpResponse<String> response =
                        http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                last = response.statusCode() + " " + response.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for " + name, e);
            }
            LocalNetwork.pause(java.time.Duration.ofMillis(250));
        }
        throw new IllegalStateException(name + " not " + what + " within " + timeout + " (last answer from " + url
                + ": " + last + "); its log (" + log() + ") ends with:\n" + logTail());
    }

    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log at " + log + ": " + e.getMessage() + ")";
        }
    }

    /** Kills the process at once (SIGKILL), as a crash would: used to take a node away mid-stream. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(GRACE_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Asks the process to stop (SIGTERM runs its shutdown hooks), then kills what is left. */
    @Override
    public void close() {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(GRACE_SECONDS, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "{0} did not stop within {1} s; killing it", name, GRACE_SECONDS);
                process.destroyForcibly().waitFor(GRACE_SECONDS, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ", log " + log + ")";
    }
}
