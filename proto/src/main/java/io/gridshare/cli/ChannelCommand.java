package io.gridshare.cli;

import io.gridshare.client.Amounts;
import io.gridshare.client.ChannelKey;
import io.gridshare.client.ChannelManager;
import io.gridshare.client.ChannelStatus;
import io.gridshare.client.GridshareClientException;
import io.gridshare.client.NetworkFile;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.web3j.crypto.Credentials;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "channel", mixinStandardHelpOptions = true,
        description = "Your payment channels to a gateway: open, status, topup, close.",
        subcommands = {ChannelCommand.Open.class, ChannelCommand.Status.class, ChannelCommand.TopUp.class,
                ChannelCommand.Close.class})
final class ChannelCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is missing: open, status, topup or close");
    }

    /** Options of the commands that act on one existing channel. */
    abstract static class OnChannel implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--channel", paramLabel = "ID",
                description = "The channel (default: tenant.channel-id of the network file, else your newest open channel to --payee).")
        BigInteger channelId;

        @Option(names = "--payee", paramLabel = "ADDRESS", description = "The gateway's address (default: gateway.payee of the network file).")
        String payee;

        @Option(names = "--ledger-dir", paramLabel = "DIR", description = "The client's ledger (default: ~/.gridshare/ledger).")
        Path ledgerDir;

        BigInteger resolveId(ChannelManager manager) {
            if (channelId != null) {
                return channelId;
            }
            Optional<BigInteger> fromFile = common.network().flatMap(NetworkFile::tenantChannelId);
            if (fromFile.isPresent()) {
                return fromFile.get();
            }
            String gateway = payee != null ? payee : common.network().flatMap(NetworkFile::gatewayPayee).orElseThrow(() ->
                    new GridshareClientException("no channel given", "pass --channel <id> (or --payee <gateway address>)"));
            return manager.findOpen(gateway).map(s -> s.channel().channelId()).orElseThrow(() -> new GridshareClientException(
                    "no channel to gateway " + gateway, "run `gridshare channel open --payee " + gateway + " --deposit <GRID>`"));
        }

        @Override
        public Integer call() {
            Credentials key = common.credentials();
            try (CommonOptions.Chain chain = common.connect()) {
                ChannelManager manager = new ChannelManager(chain.contracts(), key, CommonOptions.ledger(ledgerDir));
                ChannelStatus status = act(manager, resolveId(manager));
                print(common, status, message(status));
            }
            return 0;
        }

        abstract ChannelStatus act(ChannelManager manager, BigInteger id);

        String message(ChannelStatus status) {
            return null;
        }
    }

    @Command(name = "open", mixinStandardHelpOptions = true,
            description = "Open a GRID channel to a gateway (approve + open, or one transaction with --permit).",
            footer = {"", "Example:", "  gridshare channel open --deposit 10 --payee 0x70997970C51812dc3A010C7d01b50e0d17dc79C8"})
    static final class Open implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--deposit", required = true, paramLabel = "AMOUNT", converter = AmountConverter.class,
                description = "GRID to deposit (\"10\", \"0.5\", or base units \"1000base\").")
        BigInteger deposit;

        @Option(names = "--payee", paramLabel = "ADDRESS", description = "The gateway's address (default: gateway.payee of the network file).")
        String payee;

        @Option(names = "--signer", paramLabel = "ADDRESS", description = "Key whose vouchers the channel honours (default: your key).")
        String signer;

        @Option(names = "--permit", description = "Approve with an EIP-2612 permit inside the open transaction.")
        boolean permit;

        @Option(names = "--ledger-dir", paramLabel = "DIR", description = "The client's ledger (default: ~/.gridshare/ledger).")
        Path ledgerDir;

        @Override
        public Integer call() {
            String gateway = payee != null ? payee : common.network().flatMap(NetworkFile::gatewayPayee).orElseThrow(() ->
                    new GridshareClientException("which gateway should the channel pay?",
                            "pass --payee <gateway address> (a gateway's Accepted message and `gridshare generate` show it)"));
            Credentials key = common.credentials();
            try (CommonOptions.Chain chain = common.connect()) {
                ChannelManager manager = new ChannelManager(chain.contracts(), key, CommonOptions.ledger(ledgerDir));
                ChannelKey opened = manager.open(gateway, deposit, signer != null ? signer : key.getAddress(), permit);
                ChannelStatus status = manager.status(opened.channelId());
                print(common, status, "Opened channel " + opened.channelId() + ": pay with `gridshare generate --channel "
                        + opened.channelId() + " \"...\"`");
            }
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show a channel: deposit, redeemed, highest signed here, remaining, closing.",
            footer = {"", "Example:", "  gridshare channel status --channel 1"})
    static final class Status extends OnChannel {
        @Override
        ChannelStatus act(ChannelManager manager, BigInteger id) {
            return manager.status(id);
        }
    }

    @Command(name = "topup", mixinStandardHelpOptions = true, description = "Add GRID to a channel's deposit.",
            footer = {"", "Example:", "  gridshare channel topup --channel 1 --amount 5"})
    static final class TopUp extends OnChannel {
        @Option(names = "--amount", required = true, paramLabel = "AMOUNT", converter = AmountConverter.class,
                description = "GRID to add (\"5\", or base units \"1000base\").")
        BigInteger amount;

        @Override
        ChannelStatus act(ChannelManager manager, BigInteger id) {
            return manager.topUp(id, amount);
        }
    }

    @Command(name = "close", mixinStandardHelpOptions = true,
            description = {"Start closing a channel; after the challenge period run it again with --finalize to get",
                    "the unspent deposit back (the gateway redeems its vouchers meanwhile)."},
            footer = {"", "Example:", "  gridshare channel close --channel 1", "  gridshare channel close --channel 1 --finalize"})
    static final class Close extends OnChannel {
        @Option(names = "--finalize", description = "Finish closing after the challenge period and refund the rest.")
        boolean finalizeClose;

        @Override
        ChannelStatus act(ChannelManager manager, BigInteger id) {
            return finalizeClose ? manager.finalizeClose(id) : manager.startClose(id);
        }

        @Override
        String message(ChannelStatus s) {
            return s.closed() ? "Channel " + s.channel().channelId() + " is closed; the unspent deposit went back to " + s.payer()
                    : "Closing channel " + s.channel().channelId() + "; after " + Instant.ofEpochSecond(s.closesAt())
                            + " run `gridshare channel close --channel " + s.channel().channelId() + " --finalize`";
        }
    }

    static void print(CommonOptions common, ChannelStatus s, String message) {
        if (common.json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("channelId", s.channel().channelId().toString());
            m.put("chainId", s.channel().chainId());
            m.put("contract", s.channel().contract());
            m.put("payer", s.payer());
            m.put("payee", s.payee());
            m.put("signer", s.signer());
            m.put("token", s.token());
            m.put("deposit", s.deposit().toString());
            m.put("redeemed", s.redeemed().toString());
            m.put("highestSigned", s.highestSigned().toString());
            m.put("remaining", s.remaining().toString());
            m.put("closesAt", s.closesAt());
            m.put("closing", s.closing());
            m.put("closed", s.closed());
            common.printJson(m);
            return;
        }
        PrintWriter out = common.out();
        out.printf("channel         %s (chain %d, PaymentChannels %s)%n", s.channel().channelId(), s.channel().chainId(),
                s.channel().contract());
        out.printf("payer → payee   %s → %s%n", s.payer(), s.payee());
        out.printf("signer          %s%n", s.signer());
        out.printf("deposit         %s GRID%n", Amounts.format(s.deposit()));
        out.printf("redeemed        %s GRID%n", Amounts.format(s.redeemed()));
        out.printf("signed (here)   %s GRID%n", Amounts.format(s.highestSigned()));
        out.printf("remaining       %s GRID%n", Amounts.format(s.remaining()));
        out.printf("state           %s%n", s.closed() ? "closed" : s.closing() ? "closing (finalize after "
                + Instant.ofEpochSecond(s.closesAt()) + ")" : "open");
        if (message != null) {
            out.println(message);
        }
        out.flush();
    }
}
