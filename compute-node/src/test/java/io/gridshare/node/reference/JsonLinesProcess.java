package io.gridshare.node.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child process that answers one JSON line on stdout for each JSON line on stdin, and logs to
 * stderr. Its stderr is echoed to ours and its tail kept, so a failure can say what the child said.
 */
final class JsonLinesProcess implements AutoCloseable {

    private static final int STDERR_TAIL_LINES = 40;

    private final ObjectMapper json = new ObjectMapper();
    private final String name;
    private final Process process;
    private final BufferedWriter requests;
    private final BufferedReader answers;
    private final Deque<String> stderrTail = new ArrayDeque<>();

    private JsonLinesProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.requests = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Thread.ofPlatform().daemon().name(name + "-stderr").start(this::drainStderr);
    }

    static JsonLinesProcess start(String name, List<String> command) {
        try {
            return new JsonLinesProcess(name, new ProcessBuilder(command).start());
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name + ": " + String.join(" ", command), e);
        }
    }

    ObjectNode newRequest(String op) {
        return json.createObjectNode().put("op", op);
    }

    /** Sends one request and returns its answer; an {"error": ...} answer becomes an exception. */
    synchronized JsonNode call(ObjectNode request) {
        String line;
        try {
            requests.write(json.writeValueAsString(request));
            requests.newLine();
            requests.flush();
            line = answers.readLine();
        } catch (IOException e) {
            throw new IllegalStateException(name + " is gone (" + e.getMessage() + ")" + stderrSummary(), e);
        }
        if (line == null) {
            throw new IllegalStateException(name + " exited without answering " + request.get("op") + exitSummary());
        }
        JsonNode answer;
        try {
            answer = json.readTree(line);
        } catch (IOException e) {
            throw new IllegalStateException(name + " answered " + request.get("op") + " with a line that is not JSON: " + line, e);
        }
        if (answer.has("error")) {
            throw new IllegalStateException(name + " failed " + request.get("op") + ": " + answer.get("error").asText());
        }
        return answer;
    }

    private String exitSummary() {
        try {
            boolean exited = process.waitFor(5, TimeUnit.SECONDS);
            return (exited ? " (exit code " + process.exitValue() + ")" : "") + stderrSummary();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return stderrSummary();
        }
    }

    private String stderrSummary() {
        synchronized (stderrTail) {
            return stderrTail.isEmpty() ? "" : "; its stderr ended with:\n" + String.join("\n", stderrTail);
        }
    }

    private void drainStderr() {
        try (BufferedReader stderr = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = stderr.readLine()) != null; ) {
                System.err.println("[" + name + "] " + line);
                synchronized (stderrTail) {
                    if (stderrTail.size() == STDERR_TAIL_LINES) {
                        stderrTail.removeFirst();
                    }
                    stderrTail.addLast(line);
                }
            }
        } catch (IOException ignored) {
            // the process is gone; whatever it said is already kept
        }
    }

    /** Closes stdin (the child's signal to exit), then kills it if it has not exited within seconds. */
    @Override
    public void close() {
        try {
            requests.close();
        } catch (IOException ignored) {
            // a child that already died has closed the pipe itself
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
