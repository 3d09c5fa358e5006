package io.gridshare.cli;

import io.gridshare.chain.contracts.Channel;
import io.gridshare.chain.contracts.ChannelEvents;
import io.gridshare.chain.contracts.GridTokenClient;
import io.gridshare.chain.contracts.GridshareContracts;
import io.gridshare.chain.contracts.NodeRegistryClient;
import io.gridshare.chain.contracts.NodeStatus;
import io.gridshare.client.Amounts;
import io.gridshare.client.GridshareClientException;
import io.gridshare.client.NetworkFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.zip.CRC32;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.utils.Numeric;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "node", mixinStandardHelpOptions = true,
        description = "For operators: register a node key with a GRID stake, check its status, read its earnings.",
        subcommands = {NodeCommand.Register.class, NodeCommand.Status.class, NodeCommand.Earnings.class})
final class NodeCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is missing: register, status or earnings");
    }

    static String requireNodeKey(CommonOptions common, String nodeKey) {
        if (nodeKey != null) {
            return nodeKey;
        }
        List<String> keys = common.network().map(NetworkFile::nodeKeys).orElse(List.of());
        if (keys.size() == 1) {
            return keys.get(0);
        }
        throw new GridshareClientException("which node? " + (keys.isEmpty() ? "no --node-key given"
                : "the network file lists " + keys.size() + " nodes: " + String.join(", ", keys)),
                "pass --node-key <address> (the address the node signs with)");
    }

    @Command(name = "register", mixinStandardHelpOptions = true,
            description = {"Register a node key with a GRID stake (approve + NodeRegistry.register), signed by your",
                    "operator key (--keystore)."},
            footer = {"", "Example:", "  gridshare node register --node-key 0x90F79bf6EB2c4f870365E785982E1f101E93b906 --stake 1000 \\",
                    "      --metadata-uri https://example.org/node.json --keystore operator.json --password-file pw"})
    static final class Register implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--node-key", required = true, paramLabel = "ADDRESS", description = "The node's key (address it signs with).")
        String nodeKey;

        @Option(names = "--stake", paramLabel = "AMOUNT", converter = AmountConverter.class,
                description = "GRID to stake (default: the registry's minimum stake).")
        BigInteger stake;

        @Option(names = "--metadata-uri", paramLabel = "URI", defaultValue = "",
                description = "Where the node's description lives; its sha256 is stored as the metadata hash.")
        String metadataUri;

        @Override
        public Integer call() {
            Credentials operator = common.credentials();
            try (CommonOptions.Chain chain = common.connect()) {
                GridshareContracts contracts = chain.as(operator);
                NodeRegistryClient registry = contracts.nodeRegistry();
                BigInteger amount = stake != null ? stake : registry.minStake();
                NodeStatus before = registry.status(nodeKey);
                if (before.registered()) {
                    throw new GridshareClientException("node " + nodeKey + " is already registered (operator "
                            + before.operator() + ")", "check it with `gridshare node status --node-key " + nodeKey + "`");
                }
                GridTokenClient grid = contracts.gridToken();
                BigInteger balance = grid.balanceOf(operator.getAddress());
                if (balance.compareTo(amount) < 0) {
                    throw new GridshareClientException("insufficient GRID balance: operator " + operator.getAddress()
                            + " holds " + Amounts.format(balance) + " GRID, the stake is " + Amounts.format(amount) + " GRID",
                            "get GRID into the operator account, or stake less (at least the minimum "
                                    + Amounts.format(registry.minStake()) + " GRID)");
                }
                grid.approve(registry.address(), amount);
                registry.register(nodeKey, amount, sha256(metadataUri), metadataUri);
                printStatus(common, nodeKey, registry, "Registered node " + nodeKey + " with "
                        + Amounts.format(amount) + " GRID; start it with this key and it joins the gateways.");
            }
            return 0;
        }

        private static byte[] sha256(String text) {
            if (text.isEmpty()) {
                return new byte[32];
            }
            try {
                return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show a node key's registration: registered, active, bonded and unbonding stake.",
            footer = {"", "Example:", "  gridshare node status --node-key 0x90F79bf6EB2c4f870365E785982E1f101E93b906"})
    static final class Status implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--node-key", paramLabel = "ADDRESS", description = "The node's key (default: the only node.N.key of the network file).")
        String nodeKey;

        @Override
        public Integer call() {
            String key = requireNodeKey(common, nodeKey);
            try (CommonOptions.Chain chain = common.connect()) {
                printStatus(common, key, chain.contracts().nodeRegistry(), null);
            }
            return 0;
        }
    }

    static void printStatus(CommonOptions common, String nodeKey, NodeRegistryClient registry, String message) {
        NodeStatus status = registry.status(nodeKey);
        NodeRegistryClient.NodeInfo info = registry.node(nodeKey);
        BigInteger minStake = registry.minStake();
        if (common.json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("nodeKey", nodeKey);
            m.put("registered", status.registered());
            m.put("active", status.active());
            m.put("operator", info.operator());
            m.put("bonded", info.bonded().toString());
            m.put("unbonding", info.unbonding().toString());
            m.put("unbondingEndsAt", info.unbondingEndsAt());
            m.put("minStake", minStake.toString());
            m.put("metadataUri", info.metadataUri());
            common.printJson(m);
            return;
        }
        PrintWriter out = common.out();
        out.printf("node            %s%n", nodeKey);
        out.printf("registered      %s%s%n", status.registered() ? "yes" : "no",
                status.registered() ? " (operator " + info.operator() + ")" : "");
        out.printf("active          %s%n", status.active() ? "yes" : "no (bonded stake below the minimum "
                + Amounts.format(minStake) + " GRID)");
        out.printf("bonded          %s GRID%n", Amounts.format(info.bonded()));
        out.printf("unbonding       %s GRID%s%n", Amounts.format(info.unbonding()),
                info.unbonding().signum() > 0 ? " (withdrawable after " + Instant.ofEpochSecond(info.unbondingEndsAt()) + ")" : "");
        if (!info.metadataUri().isEmpty()) {
            out.printf("metadata        %s%n", info.metadataUri());
        }
        if (message != null) {
            out.println(message);
        }
        out.flush();
    }

    @Command(name = "earnings", mixinStandardHelpOptions = true,
            description = {"What a node key earned: redeemed vouchers (PaymentChannels VoucherRedeemed events paying it)",
                    "and, with --settlement-dir, the vouchers it holds that are not redeemed yet."},
            footer = {"", "Example:", "  gridshare node earnings --node-key 0x90F79bf6EB2c4f870365E785982E1f101E93b906 \\",
                    "      --settlement-dir /var/lib/gridshare/settlement"})
    static final class Earnings implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--node-key", paramLabel = "ADDRESS", description = "The node's key (default: the only node.N.key of the network file).")
        String nodeKey;

        @Option(names = "--settlement-dir", paramLabel = "DIR", description = "The node's settlement directory (its vouchers.log), read only.")
        Path settlementDir;

        @Option(names = "--from-block", paramLabel = "N", defaultValue = "0", description = "First block to scan (default: ${DEFAULT-VALUE}).")
        long fromBlock;

        @Override
        public Integer call() {
            String key = requireNodeKey(common, nodeKey);
            try (CommonOptions.Chain chain = common.connect()) {
                var channels = chain.contracts().paymentChannels();
                EthFilter filter = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.valueOf(fromBlock)),
                        DefaultBlockParameterName.LATEST, channels.address());
                filter.addSingleTopic(ChannelEvents.VOUCHER_REDEEMED_TOPIC);
                filter.addNullTopic();
                filter.addSingleTopic("0x" + "0".repeat(24) + Numeric.cleanHexPrefix(key).toLowerCase(java.util.Locale.ROOT));
                @SuppressWarnings("rawtypes")
                List<EthLog.LogResult> logs = chain.connection().send("eth_getLogs", chain.connection().web3j().ethGetLogs(filter)).getLogs();
                BigInteger paid = BigInteger.ZERO;
                BigInteger fees = BigInteger.ZERO;
                List<Map<String, Object>> redemptions = new ArrayList<>();
                for (EthLog.LogResult<?> result : logs) {
                    ChannelEvents.VoucherRedeemed r = ChannelEvents.voucherRedeemed((Log) result.get());
                    paid = paid.add(r.paidToPayee());
                    fees = fees.add(r.fee());
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("channelId", r.channelId().toString());
                    m.put("cumulativeAmount", r.cumulativeAmount().toString());
                    m.put("paidToPayee", r.paidToPayee().toString());
                    m.put("fee", r.fee().toString());
                    m.put("block", r.blockNumber().longValue());
                    m.put("transaction", r.transactionHash());
                    redemptions.add(m);
                }
                BigInteger unredeemed = BigInteger.ZERO;
                List<Map<String, Object>> pending = new ArrayList<>();
                if (settlementDir != null) {
                    for (Map.Entry<BigInteger, BigInteger> latest : readVouchers(settlementDir).entrySet()) {
                        Channel channel = channels.channel(latest.getKey());
                        BigInteger open = channel.closed() ? BigInteger.ZERO : channel.redeemable(latest.getValue());
                        unredeemed = unredeemed.add(open);
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("channelId", latest.getKey().toString());
                        m.put("latestVoucher", latest.getValue().toString());
                        m.put("redeemed", channel.redeemed().toString());
                        m.put("unredeemed", open.toString());
                        pending.add(m);
                    }
                }
                if (common.json) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("nodeKey", key);
                    m.put("redeemedToNode", paid.toString());
                    m.put("protocolFees", fees.toString());
                    m.put("redemptions", redemptions);
                    m.put("unredeemed", settlementDir == null ? null : unredeemed.toString());
                    m.put("unredeemedChannels", pending);
                    common.printJson(m);
                    return 0;
                }
                PrintWriter out = common.out();
                out.printf("node            %s%n", key);
                out.printf("redeemed        %s GRID to the node in %d redemption(s) (%s GRID protocol fee)%n",
                        Amounts.format(paid), redemptions.size(), Amounts.format(fees));
                if (settlementDir != null) {
                    out.printf("unredeemed      %s GRID in %d channel(s) held in %s%n", Amounts.format(unredeemed),
                            pending.size(), settlementDir);
                } else {
                    out.println("unredeemed      (pass --settlement-dir to count the vouchers the node holds)");
                }
                out.flush();
            }
            return 0;
        }
    }

    /** The latest voucher amount per channel in a settlement directory's vouchers.log (read only; the node may be running). */
    static Map<BigInteger, BigInteger> readVouchers(Path settlementDir) {
        Path file = settlementDir.resolve("vouchers.log");
        Map<BigInteger, BigInteger> latest = new TreeMap<>();
        if (!Files.isRegularFile(file)) {
            throw new GridshareClientException("no vouchers.log in " + settlementDir.toAbsolutePath(),
                    "pass the node's settlement directory (gridshare.node.settlement-dir)");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new GridshareClientException("cannot read " + file + ": " + e.getMessage(), "check its permissions");
        }
        for (String line : lines) {
            String[] parts = line.trim().split(" ");
            if (parts.length != 4) {
                continue; // a torn last line of a running node
            }
            String body = parts[0] + " " + parts[1] + " " + parts[2];
            CRC32 crc = new CRC32();
            crc.update(body.getBytes(StandardCharsets.UTF_8));
            if (!Long.toHexString(crc.getValue()).equals(parts[3])) {
                continue;
            }
            latest.merge(new BigInteger(parts[0], 16), new BigInteger(parts[1], 16), BigInteger::max);
        }
        return latest;
    }
}
