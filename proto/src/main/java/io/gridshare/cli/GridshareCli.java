package io.gridshare.cli;

import io.gridshare.chain.ChainException;
import io.gridshare.chain.ContractRevertedException;
import io.gridshare.chain.KeystoreException;
import io.gridshare.chain.RpcUnavailableException;
import io.gridshare.client.GridshareClientException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code gridshare} command: tenants stream jobs and manage channels, operators register nodes
 * and read their earnings. Exit codes: 0 ok, 1 failure, 2 usage error.
 */
@Command(name = "gridshare", mixinStandardHelpOptions = true, version = "gridshare 0.1.0",
        description = "Gridshare: stream paid inference from a gateway, manage payment channels, operate nodes.",
        subcommands = {GenerateCommand.class, ModelsCommand.class, ChannelCommand.class, NodeCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Settings come from options, else from the network file",
                "  .gridshare/local-network.properties (in this directory or a parent),",
                "which the local network writes: ./mvnw -Plocal-network -DskipTests package",
                "Exit codes: 0 ok, 1 failure, 2 usage error."})
public final class GridshareCli implements Runnable {
    private final Map<String, String> environment;
    private final Path workingDirectory;

    public GridshareCli(Map<String, String> environment, Path workingDirectory) {
        this.environment = Map.copyOf(environment);
        this.workingDirectory = workingDirectory;
    }

    Map<String, String> environment() {
        return environment;
    }

    Path workingDirectory() {
        return workingDirectory;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "a command is missing");
    }

    /** A command line wired with readable errors and the exit codes above. */
    public static CommandLine commandLine(Map<String, String> environment, Path workingDirectory) {
        CommandLine cli = new CommandLine(new GridshareCli(environment, workingDirectory));
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler((ex, args) -> {
            CommandLine failed = ex.getCommandLine();
            PrintWriter err = failed.getErr();
            err.println("error: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            err.println("Run `" + failed.getCommandSpec().qualifiedName() + " --help` for usage.");
            err.flush();
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, failed, parseResult) -> {
            PrintWriter err = failed.getErr();
            err.println("error: " + describe(ex));
            String advice = advise(ex);
            if (advice != null) {
                err.println("what to do: " + advice);
            }
            err.flush();
            return 1;
        });
        return cli;
    }

    static String describe(Throwable ex) {
        if (ex instanceof GridshareClientException g) {
            return g.description();
        }
        if (ex instanceof KeystoreException k && k.getMessage().startsWith("Wrong passphrase")) {
            return "wrong keystore passphrase: " + k.getMessage();
        }
        if (ex instanceof IllegalArgumentException || ex instanceof ChainException) {
            return ex.getMessage();
        }
        return ex.toString();
    }

    static String advise(Throwable ex) {
        if (ex instanceof GridshareClientException g) {
            return g.advice();
        }
        if (ex instanceof KeystoreException k) {
            return k.getMessage().startsWith("Wrong passphrase")
                    ? "check the passphrase in --password-file or the GRIDSHARE_PASSWORD environment variable"
                    : "pass --keystore <file> and --password-file <file> (or set GRIDSHARE_PASSWORD)";
        }
        if (ex instanceof RpcUnavailableException) {
            return "start the chain, e.g. the local network with `" + GridshareClientException.START_LOCAL_NETWORK
                    + "`, or pass the right --rpc";
        }
        if (ex instanceof ContractRevertedException r) {
            String name = r.errorName() == null ? "" : r.errorName().toLowerCase(Locale.ROOT);
            if (name.contains("insufficientbalance")) {
                return "insufficient GRID balance: get GRID into the sending account or use a smaller amount";
            }
            if (name.contains("allowance")) {
                return "the contract may not pull that much GRID: approve it first";
            }
            return "the contract refused the transaction; the error above names the reason";
        }
        return null;
    }

    public static void main(String[] args) {
        int code = commandLine(System.getenv(), Path.of("").toAbsolutePath()).execute(args);
        System.exit(code);
    }
}
