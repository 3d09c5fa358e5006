package io.gridshare.chain.local;

import io.gridshare.chain.ChainConnection;
import io.gridshare.chain.ChainException;
import io.gridshare.chain.Deployment;
import io.gridshare.chain.RpcUnavailableException;
import io.gridshare.chain.contracts.ContractArtifact;
import io.gridshare.chain.contracts.ContractErrors;
import io.gridshare.chain.contracts.GridTokenClient;
import io.gridshare.chain.rpc.HttpClientWeb3jService;
import io.gridshare.chain.rpc.RetryPolicy;
import io.gridshare.chain.tx.TransactionOptions;
import io.gridshare.chain.tx.TransactionSender;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint16;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * A local Ethereum chain for tests and the embedded default: starts {@code anvil} from the pinned
 * npm package on a free loopback port, deploys GridToken, NodeRegistry and PaymentChannels from
 * the artifacts packed into the jar, gives GRID to anvil's dev accounts, and stops the process on
 * {@link #close()} (and at JVM exit, should close be missed).
 *
 * <p>The anvil binary is {@code -Dgridshare.anvil=<path>}, {@code $GRIDSHARE_ANVIL}, or
 * {@code <chain-adapter>/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil} (see
 * {@link ChainAdapterDir}).
 */
public final class LocalChain implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LocalChain.class.getName());
    public static final String ANVIL_PROPERTY = "gridshare.anvil";
    public static final String ANVIL_ENV = "GRIDSHARE_ANVIL";
    private static final BigInteger GRID = BigInteger.TEN.pow(18);

    /**
     * What to deploy.
     *
     * @param chainId anvil's chain id
     * @param gridCap GridToken cap (base units)
     * @param gridPerAccount GRID given to each dev account 1..9 (account 0 holds the rest)
     * @param minStake NodeRegistry minimum stake
     * @param unbondingDelaySeconds NodeRegistry unbonding delay
     * @param feeBps PaymentChannels fee (basis points, at most 100)
     * @param treasuryAccount index of the dev account that is the treasury
     * @param challengePeriodSeconds PaymentChannels challenge period
     */
    public record Options(long chainId, BigInteger gridCap, BigInteger gridPerAccount, BigInteger minStake,
                          long unbondingDelaySeconds, int feeBps, int treasuryAccount, long challengePeriodSeconds) {

        /** Chain 31337, 1e9 GRID cap, 1e6 GRID per account, 1000 GRID min stake, 1 % fee to account 9. */
        public static Options defaults() {
            return new Options(31337, GRID.multiply(BigInteger.valueOf(1_000_000_000L)),
                    GRID.multiply(BigInteger.valueOf(1_000_000)), GRID.multiply(BigInteger.valueOf(1000)),
                    7 * 24 * 3600, 100, 9, 3600);
        }

        public Options withChainId(long id) {
            return new Options(id, gridCap, gridPerAccount, minStake, unbondingDelaySeconds, feeBps, treasuryAccount,
                    challengePeriodSeconds);
        }
    }

    private final Process process;
    private final Path log;
    private final ChainConnection chain;
    private final Deployment deployment;
    private final Options options;
    private final Thread shutdownHook;

    private LocalChain(Process process, Path log, ChainConnection chain, Deployment deployment, Options options,
                       Thread shutdownHook) {
        this.process = process;
        this.log = log;
        this.chain = chain;
        this.deployment = deployment;
        this.options = options;
        this.shutdownHook = shutdownHook;
    }

    public static LocalChain start() {
        return start(Options.defaults());
    }

    /** Starts anvil, waits for its RPC, deploys and funds. */
    public static LocalChain start(Options options) {
        Path anvil = anvilBinary();
        ChainException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePort();
            Path log;
            Process process;
            try {
                log = Files.createTempFile("gridshare-anvil-", ".log");
                process = new ProcessBuilder(anvil.toString(), "--host", "127.0.0.1", "--port", Integer.toString(port),
                        "--chain-id", Long.toString(options.chainId()), "--accounts", "10", "--balance", "10000")
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
            } catch (IOException e) {
                throw new ChainException("Cannot start anvil at " + anvil + ": " + e.getMessage(), e);
            }
            Thread hook = new Thread(() -> stop(process), "gridshare-anvil-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            String url = "http://127.0.0.1:" + port;
            io.gridshare.chain.tx.NonceManager.forgetEndpoint(url);
            ChainConnection chain = null;
            try {
                chain = awaitReady(process, url, log);
                Deployment deployment = deploy(chain, options);
                LOG.log(System.Logger.Level.INFO, "anvil on {0}: {1}", url, deployment);
                return new LocalChain(process, log, chain, deployment, options, hook);
            } catch (ChainException e) {
                last = e;
                if (chain != null) {
                    chain.close();
                }
                stop(process);
                Runtime.getRuntime().removeShutdownHook(hook);
                if (process.isAlive() || !readLog(log).contains("Address already in use")) {
                    throw e;
                }
            }
        }
        throw last;
    }

    private static Path anvilBinary() {
        String configured = System.getProperty(ANVIL_PROPERTY, System.getenv(ANVIL_ENV));
        Path path = configured != null && !configured.isBlank()
                ? Path.of(configured)
                : ChainAdapterDir.locate().resolve("node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
        if (!Files.isExecutable(path)) {
            throw new ChainException("anvil binary " + path + " is missing or not executable: run `npm ci` in chain-adapter "
                    + "(the Maven build does it) or set -D" + ANVIL_PROPERTY + " / " + ANVIL_ENV);
        }
        return path;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new ChainException("No free loopback port for anvil: " + e.getMessage(), e);
        }
    }

    private static ChainConnection awaitReady(Process process, String url, Path log) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new ChainException("anvil exited with code " + process.exitValue() + " before answering on " + url
                        + ": " + readLog(log));
            }
            try {
                HttpClientWeb3jService probe = new HttpClientWeb3jService(url, RetryPolicy.none(), Duration.ofSeconds(2), Map.of());
                ChainConnection chain = ChainConnection.connect(probe, ContractErrors.gridshare());
                // the readiness probe must not retry, the connection used afterwards must
                chain.close();
                return ChainConnection.connect(url);
            } catch (RpcUnavailableException e) {
                if (System.nanoTime() > deadline) {
                    throw new ChainException("anvil did not answer on " + url + " within 30 s: " + readLog(log), e);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new ChainException("Interrupted while waiting for anvil", ie);
                }
            }
        }
    }

    private static Deployment deploy(ChainConnection chain, Options options) {
        Credentials deployer = AnvilAccounts.get(0);
        TransactionSender sender = new TransactionSender(chain, deployer, TransactionOptions.defaults());
        BigInteger initialSupply = options.gridPerAccount().multiply(BigInteger.valueOf(100));
        String gridToken = deploy(sender, ContractArtifact.GRID_TOKEN, List.of(new Uint256(options.gridCap()),
                new Address(deployer.getAddress()), new Uint256(initialSupply), new Address(Address.DEFAULT.getValue())));
        String nodeRegistry = deploy(sender, ContractArtifact.NODE_REGISTRY, List.of(new Address(gridToken),
                new Uint256(options.minStake()), new Uint64(options.unbondingDelaySeconds()),
                new Address(Address.DEFAULT.getValue())));
        String paymentChannels = deploy(sender, ContractArtifact.PAYMENT_CHANNELS, List.of(new Uint16(options.feeBps()),
                new Address(AnvilAccounts.get(options.treasuryAccount()).getAddress()),
                new Uint64(options.challengePeriodSeconds())));
        GridTokenClient grid = new GridTokenClient(chain, sender, gridToken);
        for (int i = 1; i < AnvilAccounts.count(); i++) {
            grid.transfer(AnvilAccounts.get(i).getAddress(), options.gridPerAccount());
        }
        return new Deployment(chain.rpcUrl(), chain.chainId(), gridToken, nodeRegistry, paymentChannels);
    }

    @SuppressWarnings("rawtypes")
    private static String deploy(TransactionSender sender, String name, List<Type> constructorArgs) {
        ContractArtifact artifact = ContractArtifact.fromClasspath(name);
        String data = artifact.bytecode() + FunctionEncoder.encodeConstructor(new ArrayList<>(constructorArgs));
        TransactionReceipt receipt = sender.deploy("deploy " + name, data);
        return receipt.getContractAddress();
    }

    public Deployment deployment() {
        return deployment;
    }

    public Options options() {
        return options;
    }

    /** A connection to the chain (shared; closed with the chain). */
    public ChainConnection connection() {
        return chain;
    }

    /** Anvil dev account {@code index} (0 deployed the contracts, {@link Options#treasuryAccount} is the treasury). */
    public Credentials account(int index) {
        return AnvilAccounts.get(index);
    }

    /** Moves the chain's clock forward (and mines a block) — for challenge periods and unbonding. */
    public void increaseTime(long seconds) {
        rpc("evm_increaseTime", List.of(seconds));
        mine(1);
    }

    /** Mines {@code blocks} empty blocks. */
    public void mine(int blocks) {
        rpc("anvil_mine", List.of("0x" + Integer.toHexString(blocks)));
    }

    /** Takes a snapshot of the chain state; {@link #revert} goes back to it (simulates a reorg). */
    public String snapshot() {
        return String.valueOf(rpc("evm_snapshot", List.of()).getResult());
    }

    /** Reverts to a snapshot; the nonces of every account are read from the chain again. */
    public void revert(String snapshotId) {
        rpc("evm_revert", List.of(snapshotId));
        io.gridshare.chain.tx.NonceManager.forgetEndpoint(chain.rpcUrl());
    }

    /** Whether the anvil process still runs. */
    public boolean isRunning() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    private Response<?> rpc(String method, List<?> params) {
        return chain.send(method, new Request<>(method, params, chain.service(), GenericResponse.class));
    }

    /** A JSON-RPC response whose result is kept as whatever JSON it was. */
    public static final class GenericResponse extends Response<Object> {
    }

    @Override
    public void close() {
        chain.close();
        stop(process);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down and the hook stops anvil anyway
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "Cannot delete {0}", log);
        }
    }

    private static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String readLog(Path log) {
        try {
            String text = Files.readString(log);
            return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
        } catch (IOException e) {
            return "(no anvil log: " + e.getMessage() + ")";
        }
    }
}
