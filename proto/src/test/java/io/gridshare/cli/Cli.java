package io.gridshare.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridshare.chain.Deployment;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.WalletUtils;
import picocli.CommandLine;

/** Runs the CLI in-process with captured output, as a shell would (exit code, stdout, stderr). */
final class Cli {
    static final String PASSWORD = "correct horse battery staple";

    record Result(int code, String out, String err) {
        JsonNode json() {
            try {
                return new ObjectMapper().readTree(out);
            } catch (IOException e) {
                throw new AssertionError("stdout is not JSON: " + out + "\nstderr: " + err, e);
            }
        }
    }

    private Cli() {
    }

    static Result run(Path workingDirectory, Map<String, String> environment, String... args) {
        CommandLine cli = GridshareCli.commandLine(environment, workingDirectory);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    static Result run(Path workingDirectory, String... args) {
        return run(workingDirectory, Map.of(), args);
    }

    /** The chain options for a deployment. */
    static List<String> chainOptions(Deployment d) {
        return List.of("--rpc", d.rpcUrl(), "--grid-token", d.gridToken(), "--node-registry", d.nodeRegistry(),
                "--payment-channels", d.paymentChannels());
    }

    /** Writes a (light-scrypt) keystore for {@code key} and a password file; returns the CLI options for them. */
    static List<String> keyOptions(Path dir, Credentials key) {
        try {
            Path keys = Files.createDirectories(dir.resolve("keys-" + key.getAddress()));
            String name = WalletUtils.generateWalletFile(PASSWORD, key.getEcKeyPair(), keys.toFile(), false);
            Path password = keys.resolve("password");
            Files.writeString(password, PASSWORD + "\n");
            return List.of("--keystore", keys.resolve(name).toString(), "--password-file", password.toString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String[] args(Object... parts) {
        List<String> out = new ArrayList<>();
        flatten(parts, out);
        return out.toArray(String[]::new);
    }

    private static void flatten(Object part, List<String> out) {
        if (part instanceof Object[] array) {
            for (Object p : array) {
                flatten(p, out);
            }
        } else if (part instanceof List<?> list) {
            list.forEach(p -> flatten(p, out));
        } else {
            out.add(part.toString());
        }
    }

    static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
