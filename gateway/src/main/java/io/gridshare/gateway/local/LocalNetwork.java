package io.gridshare.gateway.local;

import io.gridshare.chain.Deployment;
import io.gridshare.chain.contracts.Channel;
import io.gridshare.chain.contracts.GridshareContracts;
import io.gridshare.chain.local.LocalChain;
import io.gridshare.chain.tx.TransactionOptions;
import io.gridshare.client.ChannelKey;
import io.gridshare.client.ChannelManager;
import io.gridshare.client.DepositSource;
import io.gridshare.client.InMemoryChannelLedger;
import io.gridshare.client.JobResult;
import io.gridshare.client.JobSpec;
import io.gridshare.client.NetworkFile;
import io.gridshare.client.TenantClient;
import io.gridshare.client.TokenChunk;
import io.gridshare.client.TokenListener;
import io.gridshare.client.VoucherSigner;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.web3j.crypto.Credentials;

/**
 * The one-command local network: anvil with the contracts deployed, two gateway members forming one
 * Hazelcast cluster, two compute nodes registered with stake and serving stories260K. {@link #start}
 * is the building block the launcher's {@link #main} and the end-to-end test share; {@link #close()}
 * stops everything it started.
 *
 * <p>Anvil dev accounts (public keys, never for real funds): 0 deployer, 1 and 2 the gateway
 * members, 3 and 4 the operators, 5 and 6 the node keys, 7 and 8 tenants, 9 the treasury.
 */
public final class LocalNetwork implements AutoCloseable {
    public static final int GATEWAY_A = 1;
    public static final int GATEWAY_B = 2;
    public static final int[] OPERATORS = {3, 4};
    public static final int[] NODE_KEYS = {5, 6};
    public static final int DEMO_TENANT = 7;
    public static final int FILE_TENANT = 8;
    private static final BigInteger GRID = BigInteger.TEN.pow(18);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    private final LocalNetworkSettings settings;
    private final PrintStream out;
    private final List<AutoCloseable> started = Collections.synchronizedList(new ArrayList<>());
    private LocalChain chain;
    private final List<GatewayMember> gateways = new ArrayList<>();
    private final Map<String, ChildJvm> processes = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<NodeMember> nodes = new ArrayList<>();
    private Map<String, String> gatewayProperties0 = Map.of();
    // settings one member has and the others must not (its OpenAI sessions pay its own address)
    private final Map<String, Map<String, String>> memberOnly = new LinkedHashMap<>();
    private String openAiApiKey;
    /** Stops what was started when the JVM exits (Ctrl-C), even half-way through {@link #start}. */
    private final Thread shutdownHook;

    private LocalNetwork(LocalNetworkSettings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
        this.shutdownHook = new Thread(() -> {
            out.println("[local] stopping gateways, nodes and anvil");
            stopAll();
        }, "gridshare-local-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts the whole network and returns once both gateways are ready and both nodes linked.
     * On failure everything already started is stopped again.
     */
    public static LocalNetwork start(LocalNetworkSettings settings, PrintStream out) {
        LocalNetwork network = new LocalNetwork(settings, out);
        try {
            network.startAll();
            return network;
        } catch (RuntimeException | Error e) {
            network.close();
            throw e;
        }
    }

    private void startAll() {
        Path state = settings.stateDir();
        // every run starts a fresh anvil whose channel ids repeat run after run (they encode payer,
        // block and sequence), so vouchers, ledgers and keys kept from an earlier run would describe
        // other channels: start from an empty state directory
        forgetEarlierRun(state);
        Path logs = state.resolve("logs");
        Path keys = state.resolve("keys");
        long t0 = System.nanoTime();
        step("anvil", "starting (pinned npm package) and deploying GridToken, NodeRegistry, PaymentChannels");
        chain = LocalChain.start();
        started.add(chain);
        Deployment d = chain.deployment();
        step("anvil", "rpc " + d.rpcUrl() + " chain " + d.chainId() + " | GridToken " + d.gridToken()
                + " | NodeRegistry " + d.nodeRegistry() + " | PaymentChannels " + d.paymentChannels()
                + " | treasury " + chain.account(chain.options().treasuryAccount()).getAddress());

        Map<String, String> stakes = new LinkedHashMap<>();
        for (int i = 0; i < NODE_KEYS.length; i++) {
            String name = "node-" + (i + 1);
            DevKey key = DevKey.write(NODE_KEYS[i], name, keys);
            DevKey operator = DevKey.write(OPERATORS[i], "operator-" + (i + 1), keys);
            register(operator.credentials(), key.address());
            nodes.add(NodeMember.withFreePort(name, key, operator));
            stakes.put(key.address(), settings.nodeStake().toString());
            step(name, "key " + key.address() + " registered by operator " + operator.address() + " with stake "
                    + grid(settings.nodeStake()) + " GRID");
        }

        gateways.add(GatewayMember.withFreePorts("gateway-a", DevKey.write(GATEWAY_A, "gateway-a", keys)));
        gateways.add(GatewayMember.withFreePorts("gateway-b", DevKey.write(GATEWAY_B, "gateway-b", keys)));
        String clusterName = "gridshare-local-" + UUID.randomUUID().toString().substring(0, 8);
        memberOnly.put(gateways.getFirst().name(),
                Map.of("gridshare.openai.sessions-file", openAiSession(gateways.getFirst(), state).toString()));
        for (GatewayMember g : gateways) {
            Map<String, String> props = g.properties(gateways, clusterName, d, settings, state, stakes);
            if (gatewayProperties0.isEmpty()) {
                gatewayProperties0 = props;
            }
            Map<String, String> own = new LinkedHashMap<>(props);
            own.putAll(memberOnly.getOrDefault(g.name(), Map.of()));
            processes.put(g.name(), track(g.start(own, logs)));
        }
        for (GatewayMember g : gateways) {
            g.awaitReady(processes.get(g.name()), READY_TIMEOUT);
            step(g.name(), "ready: http " + g.httpBase() + " grpc " + g.grpcTarget() + " hazelcast 127.0.0.1:"
                    + g.hazelcastPort() + " payee " + g.key().address() + " (cluster " + clusterName + ")");
        }
        for (NodeMember n : nodes) {
            processes.put(n.name(), track(n.start(n.properties(gateways, settings, state, d), logs)));
        }
        for (NodeMember n : nodes) {
            n.awaitReady(processes.get(n.name()), READY_TIMEOUT);
            step(n.name(), "linked: serving " + LocalModels.MODEL + " at " + settings.nodePricePerToken()
                    + " base units/token, backend " + settings.backend() + ", health http://127.0.0.1:" + n.healthPort()
                    + "/health (log " + processes.get(n.name()).log() + ")");
        }
        step("network", String.format("up in %.1f s", (System.nanoTime() - t0) / 1e9));
    }

    private ChildJvm track(ChildJvm process) {
        started.add(process);
        return process;
    }

    private void register(Credentials operator, String nodeKey) {
        GridshareContracts as = contracts(operator);
        as.gridToken().approve(as.deployment().nodeRegistry(), settings.nodeStake());
        as.nodeRegistry().register(nodeKey, settings.nodeStake(), sha256("gridshare-local:" + nodeKey),
                "local://" + nodeKey);
    }

    /** The contracts, signing as {@code who}. */
    public GridshareContracts contracts(Credentials who) {
        return GridshareContracts.as(chain.connection(), chain.deployment(), who, TransactionOptions.defaults());
    }

    public LocalChain chain() {
        return chain;
    }

    public List<GatewayMember> gateways() {
        return List.copyOf(gateways);
    }

    public List<NodeMember> nodes() {
        return List.copyOf(nodes);
    }

    public LocalNetworkSettings settings() {
        return settings;
    }

    /** The running process of a gateway member or node, by name. */
    public ChildJvm process(String name) {
        return processes.get(name);
    }

    /** Kills a node or gateway at once, as a crash would. */
    public void kill(String name) {
        processes.get(name).kill();
        step(name, "killed");
    }

    /** Stops gateway member {@code name} (SIGTERM) and starts it again with the same configuration. */
    public void restartGateway(String name) {
        GatewayMember member = gateways.stream().filter(g -> g.name().equals(name)).findFirst().orElseThrow();
        ChildJvm old = processes.get(name);
        old.close();
        Map<String, String> props = new LinkedHashMap<>(gatewayProperties0);
        props.putAll(member.properties(gateways, gatewayProperties0.get("gridshare.grid.cluster-name"),
                chain.deployment(), settings, settings.stateDir(), parseStakes(gatewayProperties0)));
        props.putAll(memberOnly.getOrDefault(name, Map.of()));
        ChildJvm fresh = track(member.start(props, settings.stateDir().resolve("logs")));
        processes.put(name, fresh);
        member.awaitReady(fresh, READY_TIMEOUT);
        step(name, "restarted and ready");
    }

    /**
     * Starts node {@code name} again (after {@link #kill} or a stop) with the same key, models and
     * settlement directory: it reloads the vouchers it kept, links again and redeems them.
     */
    public void restartNode(String name) {
        NodeMember node = nodes.stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node named " + name + "; the nodes are "
                        + nodes.stream().map(NodeMember::name).toList()));
        ChildJvm old = processes.get(name);
        if (old != null) {
            old.close();
        }
        ChildJvm fresh = track(node.start(node.properties(gateways, settings, settings.stateDir(), chain.deployment()),
                settings.stateDir().resolve("logs")));
        processes.put(name, fresh);
        node.awaitReady(fresh, READY_TIMEOUT);
        step(name, "restarted and linked");
    }

    private static Map<String, String> parseStakes(Map<String, String> props) {
        Map<String, String> stakes = new LinkedHashMap<>();
        for (String pair : props.getOrDefault("gridshare.stake.in-memory.stakes", "").split(",")) {
            String[] kv = pair.split("=", 2);
            if (kv.length == 2) {
                stakes.put(kv[0], kv[1]);
            }
        }
        return stakes;
    }

    /**
     * Gives OpenAI clients a budget on {@code gateway}: the file tenant opens a channel to the member's
     * address whose vouchers a fresh session key signs (docs/payments.md, "OpenAI clients on a paid
     * gateway"), and the member learns the session from a sessions file. The deposit caps what the
     * hot session key can ever pay.
     */
    private Path openAiSession(GatewayMember gateway, Path state) {
        try {
            Credentials session = Credentials.create(org.web3j.crypto.Keys.createEcKeyPair());
            Credentials tenant = chain.account(FILE_TENANT);
            ChannelKey channel = new ChannelManager(contracts(tenant), tenant, new InMemoryChannelLedger())
                    .open(gateway.key().address(), settings.tenantDeposit(), session.getAddress(), false);
            byte[] token = new byte[16];
            new java.security.SecureRandom().nextBytes(token);
            openAiApiKey = "gs-local-" + java.util.HexFormat.of().formatHex(token);
            Path file = state.resolve("openai-sessions.properties");
            Files.createDirectories(state);
            Files.writeString(file, "# OpenAI clients of " + gateway.name() + " (local network only: a dev session key)\n"
                    + "session.local.api-key=" + openAiApiKey + "\n"
                    + "session.local.channel-id=" + channel.channelId() + "\n"
                    + "session.local.private-key=" + org.web3j.utils.Numeric.toHexStringWithPrefixZeroPadded(
                            session.getEcKeyPair().getPrivateKey(), 64) + "\n");
            step(gateway.name(), "OpenAI session: channel " + channel.channelId() + " from "
                    + tenant.getAddress() + " signed by session key " + session.getAddress());
            return file;
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up the OpenAI session of " + gateway.name() + ": " + e.getMessage(), e);
        }
    }

    /** The bearer API key OpenAI clients use against the first gateway member. */
    public String openAiApiKey() {
        return openAiApiKey;
    }

    private void forgetEarlierRun(Path state) {
        for (String part : List.of("settlement", "keys", "logs", "openai-sessions.properties")) {
            Path p = state.resolve(part);
            if (!Files.exists(p)) {
                continue;
            }
            try (var paths = Files.walk(p)) {
                for (Path each : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(each);
                }
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot clear " + p + " left by an earlier run (" + e.getMessage()
                        + "): delete it by hand and start again", e);
            }
        }
    }

    /** Opens a GRID channel from anvil account {@code tenant} to {@code payee}, vouchers signed by the same key. */
    public ChannelKey openChannel(int tenant, String payee, BigInteger deposit) {
        Credentials who = chain.account(tenant);
        return new ChannelManager(contracts(who), who, new InMemoryChannelLedger()).open(payee, deposit, who.getAddress(),
                false);
    }

    /** A tenant client of anvil account {@code tenant}, talking to gateway member {@code gateway}. */
    public TenantClient tenantClient(int tenant, GatewayMember gateway) {
        return tenantClient(gateway, VoucherSigner.of(chain.account(tenant)));
    }

    /** A tenant client signing with {@code signer}, reading channel deposits from the chain. */
    public TenantClient tenantClient(GatewayMember gateway, VoucherSigner signer) {
        return TenantClient.builder().target(gateway.grpcTarget()).signer(signer).ledger(new InMemoryChannelLedger())
                .deposits(DepositSource.onChain(contracts(chain.account(0)).paymentChannels())).build();
    }

    /** GRID balance of {@code address}. */
    public BigInteger balance(String address) {
        return contracts(chain.account(0)).gridToken().balanceOf(address);
    }

    /** The channel as the chain sees it. */
    public Channel channel(ChannelKey key) {
        return contracts(chain.account(0)).paymentChannels().channel(key.channelId());
    }

    /**
     * Every channel {@code payer} opened to {@code payee}, as the chain sees it now (from the
     * ChannelOpened logs of PaymentChannels): e.g. a gateway member's channels to a node. A null
     * payer or payee matches any.
     */
    public List<Channel> channelsBetween(String payer, String payee) {
        Credentials reader = chain.account(0);
        var payments = contracts(reader).paymentChannels();
        return new ChannelManager(contracts(reader), reader, new InMemoryChannelLedger()).openedBy(payer, payee).stream()
                .map(payments::channel).toList();
    }

    /**
     * Waits until the payee redeemed {@code amount} of channel {@code key} (its settlement service
     * redeems in batches), or the timeout passes.
     *
     * @return the amount redeemed when it stopped waiting
     */
    public BigInteger awaitRedeemed(ChannelKey key, BigInteger amount, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        BigInteger redeemed = channel(key).redeemed();
        while (redeemed.compareTo(amount) < 0 && System.nanoTime() < deadline) {
            pause(Duration.ofMillis(250));
            redeemed = channel(key).redeemed();
        }
        return redeemed;
    }

    /**
     * Moves the protocol fees PaymentChannels accrued in GRID to the treasury (the contract reverts
     * when there is nothing to collect, so this only sends the transaction when there is; one base
     * unit always stays in the contract).
     *
     * @return the amount moved
     */
    public BigInteger collectFees() {
        var channels = contracts(chain.account(0)).paymentChannels();
        BigInteger accrued = channels.accruedFees(chain.deployment().gridToken());
        if (accrued.compareTo(BigInteger.ONE) <= 0) {
            return BigInteger.ZERO;
        }
        // the contract keeps one base unit so its storage slot never returns to zero
        channels.collectFees(chain.deployment().gridToken());
        return accrued.subtract(BigInteger.ONE);
    }

    /** Closes a tenant's channel: startClose, anvil time travel past the challenge period, finalizeClose. */
    public void closeChannel(int tenant, ChannelKey key) {
        Credentials who = chain.account(tenant);
        ChannelManager manager = new ChannelManager(contracts(who), who, new InMemoryChannelLedger());
        manager.startClose(key.channelId());
        chain.increaseTime(chain.options().challengePeriodSeconds() + 1);
        manager.finalizeClose(key.channelId());
    }

    /** Writes {@code .gridshare/local-network.properties} for the CLI and OpenAI clients. */
    public Path writeNetworkFile(ChannelKey tenantChannel, int tenant) {
        Deployment d = chain.deployment();
        GatewayMember g = gateways.getFirst();
        NetworkFile file = NetworkFile.empty()
                .with(NetworkFile.RPC_URL, d.rpcUrl())
                .with(NetworkFile.CHAIN_ID, Long.toString(d.chainId()))
                .with(NetworkFile.GRID_TOKEN, d.gridToken())
                .with(NetworkFile.NODE_REGISTRY, d.nodeRegistry())
                .with(NetworkFile.PAYMENT_CHANNELS, d.paymentChannels())
                .with(NetworkFile.GATEWAY_GRPC, g.grpcTarget())
                .with(NetworkFile.GATEWAY_HTTP, g.httpBase())
                .with(NetworkFile.GATEWAY_PAYEE, g.key().address())
                .with(NetworkFile.TENANT_PRIVATE_KEY, org.web3j.utils.Numeric.toHexStringWithPrefixZeroPadded(chain.account(tenant).getEcKeyPair().getPrivateKey(), 64))
                .with(NetworkFile.TENANT_CHANNEL_ID, tenantChannel.channelId().toString());
        if (openAiApiKey != null) {
            file = file.with("openai.api-key", openAiApiKey);
        }
        for (int i = 0; i < nodes.size(); i++) {
            file = file.with("node." + i + ".key", nodes.get(i).key().address())
                    .with("node." + i + ".operator", nodes.get(i).operator().address())
                    .with("node." + i + ".settlement-dir", settings.stateDir().resolve("settlement")
                            .resolve(nodes.get(i).name()).toString());
        }
        for (int i = 0; i < gateways.size(); i++) {
            file = file.with("gateway." + i + ".grpc", gateways.get(i).grpcTarget())
                    .with("gateway." + i + ".http", gateways.get(i).httpBase());
        }
        Path path = settings.repositoryRoot().resolve(NetworkFile.DEFAULT_RELATIVE);
        file.write(path);
        return path;
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is exiting: the hook stops everything
        }
        stopAll();
    }

    private synchronized void stopAll() {
        List<AutoCloseable> reverse = new ArrayList<>(started);
        Collections.reverse(reverse);
        for (AutoCloseable c : reverse) {
            try {
                c.close();
            } catch (Exception e) {
                out.println("[stop] " + c + ": " + e.getMessage());
            }
        }
        started.clear();
    }

    void step(String who, String what) {
        out.println("[" + who + "] " + what);
    }

    static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Base units as GRID with 18 decimals, trailing zeros dropped. */
    public static String grid(BigInteger baseUnits) {
        return new BigDecimal(baseUnits).movePointLeft(18).stripTrailingZeros().toPlainString();
    }

    /** The repository root: {@code -Dgridshare.repository.root}, else the first parent of the working directory with mvnw. */
    static Path repositoryRoot() {
        String configured = System.getProperty("gridshare.repository.root");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("gateway"))) {
                return dir;
            }
        }
        return Path.of("").toAbsolutePath();
    }

    /**
     * Starts the network, streams one paid completion to the terminal, prints the on-chain outcome,
     * writes the network file with a second open tenant channel, and runs until Ctrl-C.
     */
    /**
     * Maven's exec plugin does not pass a SIGTERM on to the launcher (Ctrl-C reaches the whole process
     * group, a {@code kill} of Maven does not): when the process that started the launcher is gone,
     * exit, so the shutdown hook stops anvil, the gateways and the nodes instead of leaving them behind.
     */
    private static void stopWithParent(PrintStream out) {
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
            out.println("[local] the process that started the launcher (pid " + parent.pid() + ") ended");
            System.exit(143);
        }));
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        Path root = repositoryRoot();
        Path models = LocalModels.resolve(root, out);
        LocalNetworkSettings settings = LocalNetworkSettings.defaults(root, models);
        out.println("[local] repository " + root + ", models " + models + ", state " + settings.stateDir());
        stopWithParent(out);
        LocalNetwork network = start(settings, out);
        try {
            Demo.run(network, out, args.length > 0 ? String.join(" ", args) : "Once upon a time", 96);
        } catch (RuntimeException e) {
            out.println();
            out.println("[demo] failed: " + e.getMessage());
            out.println("[demo] the network keeps running; logs are in " + settings.stateDir().resolve("logs"));
        }
        GatewayMember g = network.gateways().getFirst();
        ChannelKey channel = network.openChannel(FILE_TENANT, g.key().address(), settings.tenantDeposit());
        Path file = network.writeNetworkFile(channel, FILE_TENANT);
        out.println("[local] wrote " + file + " (tenant " + network.chain().account(FILE_TENANT).getAddress()
                + ", channel " + channel.channelId() + " to " + g.key().address() + ")");
        out.println();
        out.println("Try it (Ctrl-C stops everything):");
        out.println("  java -jar proto/target/gridshare.jar generate --model stories260K \"Once upon a time\"");
        out.println("  java -jar proto/target/gridshare.jar channel status");
        out.println("  curl -N " + g.httpBase() + "/v1/chat/completions -H 'Authorization: Bearer "
                + network.openAiApiKey() + "' -H 'Content-Type: application/json' -d '"
                + "{\"model\":\"stories260K\",\"stream\":true,\"max_tokens\":64,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}]}'");
        out.println("  python: OpenAI(base_url=\"" + g.httpBase() + "/v1\", api_key=\"" + network.openAiApiKey() + "\")");
        // runs until Ctrl-C: the network's shutdown hook stops the gateways, nodes and anvil
        new CountDownLatch(1).await();
    }

    /** The demo job of {@link #main}: one paid, streamed completion and its on-chain outcome. */
    static final class Demo {
        private Demo() {
        }

        static JobResult run(LocalNetwork network, PrintStream out, String prompt, int maxTokens) {
            LocalNetworkSettings s = network.settings();
            GatewayMember g = network.gateways().getFirst();
            String tenant = network.chain().account(DEMO_TENANT).getAddress();
            String treasury = network.contracts(network.chain().account(0)).paymentChannels().treasury();
            List<String> watched = new ArrayList<>(List.of(tenant, g.key().address(), treasury));
            network.nodes().forEach(n -> watched.add(n.key().address()));
            Map<String, BigInteger> before = new LinkedHashMap<>();
            watched.forEach(a -> before.put(a, network.balance(a)));

            ChannelKey channel = network.openChannel(DEMO_TENANT, g.key().address(), s.tenantDeposit());
            network.step("tenant", tenant + " opened channel " + channel.channelId() + " to gateway " + g.key().address()
                    + " with " + grid(s.tenantDeposit()) + " GRID; price " + s.tenantPricePerToken() + " base units/token");
            out.print("[stream] " + prompt);
            JobResult result;
            try (TenantClient client = network.tenantClient(DEMO_TENANT, g)) {
                result = client.generate(JobSpec.builder(LocalModels.MODEL, prompt).maxTokens(maxTokens)
                        .temperature(0f).channel(channel).build(), new TokenListener() {
                            @Override
                            public void onTokens(TokenChunk chunk) {
                                out.print(chunk.text());
                                out.flush();
                            }
                        });
            }
            out.println();
            network.step("job", result.completionTokens() + " tokens by " + (result.receipt() == null ? "?"
                    : result.receipt().nodeTokens()) + ", time to first token " + result.timeToFirstToken().toMillis()
                    + " ms, " + String.format("%.1f", result.tokensPerSecond()) + " tokens/s, paid "
                    + result.paid() + " base units (finish: " + result.finishReason() + ")");

            BigInteger redeemed = network.awaitRedeemed(channel, result.highestSigned(), Duration.ofSeconds(60));
            network.collectFees();
            network.closeChannel(DEMO_TENANT, channel);
            Map<String, BigInteger> after = new LinkedHashMap<>();
            watched.forEach(a -> after.put(a, network.balance(a)));
            network.step("chain", "on-chain outcome (GRID base units; redeemed by the gateway " + redeemed + "):");
            network.step("chain", "  tenant paid      " + result.paid() + " (" + result.completionTokens() + " tokens × "
                    + s.tenantPricePerToken() + "), refund at close " + s.tenantDeposit().subtract(redeemed)
                    + ", balance change " + after.get(tenant).subtract(before.get(tenant)));
            for (NodeMember n : network.nodes()) {
                network.step("chain", "  " + n.name() + " earned   " + after.get(n.key().address())
                        .subtract(before.get(n.key().address())));
            }
            // the gateway's wallet also moved deposits into its channels to the nodes (refundable at
            // close), so its earning is what the tenant channel paid it less what it owes the nodes
            int feeBps = network.contracts(network.chain().account(0)).paymentChannels().feeBps();
            BigInteger fromTenant = redeemed.subtract(redeemed.multiply(BigInteger.valueOf(feeBps))
                    .divide(BigInteger.valueOf(10_000)));
            BigInteger toNodes = s.nodePricePerToken().multiply(BigInteger.valueOf(result.completionTokens()));
            network.step("chain", "  gateway earned   " + fromTenant.subtract(toNodes) + " (" + fromTenant
                    + " from the tenant after the protocol fee, less " + toNodes + " in vouchers to the nodes; its wallet "
                    + "also moved " + after.get(g.key().address()).subtract(before.get(g.key().address()))
                    + " incl. deposits into node channels, refundable at close)");
            network.step("chain", "  protocol fee     " + after.get(treasury).subtract(before.get(treasury))
                    + " (to treasury " + treasury + ")");
            return result;
        }
    }
}
