package io.gridshare.cli;

import io.gridshare.client.Amounts;
import io.gridshare.client.ChannelKey;
import io.gridshare.client.ChannelLedger;
import io.gridshare.client.ChannelManager;
import io.gridshare.client.ChannelStatus;
import io.gridshare.client.DepositSource;
import io.gridshare.client.GridshareClientException;
import io.gridshare.client.JobAccepted;
import io.gridshare.client.JobResult;
import io.gridshare.client.JobSpec;
import io.gridshare.client.NetworkFile;
import io.gridshare.client.TenantClient;
import io.gridshare.client.TokenChunk;
import io.gridshare.client.TokenListener;
import io.gridshare.client.VoucherSigner;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.web3j.crypto.Credentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Stream a completion from the gateway; tokens appear as they arrive, vouchers are signed",
                "automatically (never for more than the tokens received), and the receipt is printed at the end."},
        footer = {"", "Example:", "  gridshare generate --model stories260K --max-tokens 32 \"Once upon a time\""})
final class GenerateCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(index = "0", paramLabel = "PROMPT", description = "The prompt.")
    String prompt;

    @Option(names = "--model", defaultValue = "stories260K", description = "Model name or sha256 hash (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--max-tokens", defaultValue = "64", description = "Tokens to generate, 0 = until the context ends (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0", description = "Sampling temperature, 0 = greedy (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-p", defaultValue = "0", description = "Nucleus cut-off, 0 or 1 = none (default: ${DEFAULT-VALUE}).")
    float topP;

    @Option(names = "--seed", description = "Sampling seed (default: the gateway picks one).")
    Long seed;

    @Option(names = "--max-price", paramLabel = "AMOUNT", converter = AmountConverter.class,
            description = "Most you pay per token, in GRID or e.g. 1000base (default: any).")
    BigInteger maxPrice;

    @Option(names = "--channel", paramLabel = "ID",
            description = "Channel to pay from (default: tenant.channel-id of the network file, else your newest open channel to the gateway).")
    BigInteger channelId;

    @Option(names = "--payee", paramLabel = "ADDRESS", description = "The gateway's address, to find your channel to it (default: gateway.payee of the network file).")
    String payee;

    @Option(names = "--free", description = "Send no channel (only gateways that serve for free accept it).")
    boolean free;

    @Option(names = "--deposit-cap", paramLabel = "AMOUNT", converter = AmountConverter.class,
            description = "Without chain access: never sign a cumulative voucher above this (GRID or base units).")
    BigInteger depositCap;

    @Option(names = "--ledger-dir", paramLabel = "DIR", description = "Where the highest signed amount per channel is kept (default: ~/.gridshare/ledger).")
    Path ledgerDir;

    @Option(names = "--deadline", paramLabel = "SECONDS", defaultValue = "300", description = "Give up after this long (default: ${DEFAULT-VALUE}).")
    long deadlineSeconds;

    @Override
    public Integer call() {
        String target = common.gatewayTarget();
        ChannelLedger ledger = CommonOptions.ledger(ledgerDir);
        TenantClient.Builder builder = TenantClient.builder().target(target).tls(common.tls)
                .deadline(Duration.ofSeconds(deadlineSeconds)).ledger(ledger);
        ChannelKey channel = null;
        CommonOptions.Chain chain = null;
        try {
            if (!free) {
                Credentials key = common.credentials();
                builder.signer(VoucherSigner.of(key));
                if (common.deployment().isPresent()) {
                    chain = common.connect();
                    builder.deposits(DepositSource.onChain(chain.contracts().paymentChannels()));
                    channel = resolveChannel(chain, key, ledger);
                } else if (depositCap != null) {
                    channel = offlineChannel();
                    builder.depositCap(depositCap);
                } else {
                    throw new GridshareClientException("no chain configured to check the channel's deposit",
                            "pass --rpc and the contract addresses (or use the local network's network file), or --deposit-cap");
                }
            }
            JobSpec spec = JobSpec.builder(model, prompt).maxTokens(maxTokens).temperature(temperature).topP(topP)
                    .seed(seed).maxPricePerToken(maxPrice).channel(channel).build();
            PrintWriter out = common.out();
            TokenListener listener = common.json ? TokenListener.ignoring() : new TokenListener() {
                @Override
                public void onTokens(TokenChunk chunk) {
                    out.print(chunk.text());
                    out.flush();
                }
            };
            JobResult result;
            try (TenantClient client = builder.build()) {
                result = client.generate(spec, listener);
            } catch (RuntimeException e) {
                if (!common.json) {
                    out.println(); // the error starts on its own line after any streamed text
                    out.flush();
                }
                throw e;
            }
            if (common.json) {
                common.printJson(json(result));
            } else {
                printReceipt(out, result);
            }
            return 0;
        } finally {
            if (chain != null) {
                chain.close();
            }
        }
    }

    private ChannelKey offlineChannel() {
        Long id = common.chainIdOption().orElse(null);
        String contract = common.paymentChannelsAddress().orElse(null);
        BigInteger channelNumber = channelId != null ? channelId : common.network().flatMap(NetworkFile::tenantChannelId).orElse(null);
        if (id == null || contract == null || channelNumber == null) {
            throw new GridshareClientException("cannot name the channel without chain access",
                    "pass --channel, --chain-id and --payment-channels (or --rpc and the contract addresses)");
        }
        return new ChannelKey(id, contract, channelNumber);
    }

    private ChannelKey resolveChannel(CommonOptions.Chain chain, Credentials key, ChannelLedger ledger) {
        ChannelManager manager = new ChannelManager(chain.contracts(), key, ledger);
        BigInteger id = channelId != null ? channelId : common.network().flatMap(NetworkFile::tenantChannelId).orElse(null);
        if (id != null) {
            ChannelStatus status = manager.status(id); // fails with what to do when it does not exist
            if (status.closed() || status.closing()) {
                throw new GridshareClientException("channel " + id + " is " + (status.closed() ? "closed" : "closing"),
                        "open a new one with `gridshare channel open --payee " + status.payee() + " --deposit <GRID>`");
            }
            if (!status.signer().equalsIgnoreCase(key.getAddress())) {
                throw new GridshareClientException("channel " + id + " honours vouchers of " + status.signer()
                        + ", not of your key " + key.getAddress(), "use the key that is the channel's signer (--keystore)");
            }
            return status.channel();
        }
        String gatewayPayee = payee != null ? payee : common.network().flatMap(NetworkFile::gatewayPayee).orElse(null);
        if (gatewayPayee == null) {
            throw new GridshareClientException("no channel given and the gateway's address is unknown",
                    "pass --channel <id>, or --payee <gateway address> to use your open channel to it");
        }
        Optional<ChannelStatus> open = manager.findOpen(gatewayPayee);
        return open.map(ChannelStatus::channel).orElseThrow(() -> new GridshareClientException(
                "no channel to gateway " + gatewayPayee,
                "run `gridshare channel open --payee " + gatewayPayee + " --deposit <GRID>`"));
    }

    private static Map<String, Object> json(JobResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        JobAccepted a = r.accepted();
        m.put("jobId", a.jobId());
        m.put("text", r.text());
        m.put("tokenIds", r.tokenIds());
        m.put("finishReason", r.finishReason().name());
        m.put("promptTokens", r.promptTokens());
        m.put("completionTokens", r.completionTokens());
        Map<String, Object> receipt = new LinkedHashMap<>();
        receipt.put("tokens", r.receipt().tokens());
        receipt.put("amount", r.receipt().amount().toString());
        receipt.put("pricePerToken", r.receipt().pricePerToken().toString());
        receipt.put("channelId", r.receipt().channel() == null ? null : r.receipt().channel().channelId().toString());
        receipt.put("nodeIds", r.receipt().nodeIds());
        receipt.put("nodeTokens", r.receipt().nodeTokens());
        receipt.put("modelHash", r.receipt().modelHash());
        m.put("receipt", receipt);
        m.put("payee", a.payee());
        m.put("paid", r.paid().toString());
        m.put("highestSigned", r.highestSigned().toString());
        m.put("timeToFirstTokenMs", r.timeToFirstToken().toNanos() / 1e6);
        m.put("tokensPerSecond", r.tokensPerSecond());
        return m;
    }

    /** "0xabc… (96)" per node: how many of the tokens each node produced. */
    private static String nodes(io.gridshare.client.JobReceipt receipt) {
        if (receipt.nodeTokens().isEmpty()) {
            return String.join(", ", receipt.nodeIds());
        }
        return receipt.nodeTokens().entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + ")")
                .collect(java.util.stream.Collectors.joining(", "));
    }

    private static void printReceipt(PrintWriter out, JobResult r) {
        out.println();
        out.println("--");
        out.printf("job %s  finished: %s  tokens: %d  node(s): %s%n", r.accepted().jobId(),
                r.finishReason().name().replace("FINISH_REASON_", "").toLowerCase(java.util.Locale.ROOT),
                r.receipt().tokens(), nodes(r.receipt()));
        out.printf("paid %s GRID (%s base units = %d tokens × %s) to %s%s%n", Amounts.format(r.paid()), r.paid(),
                r.receipt().tokens(), r.receipt().pricePerToken(), r.accepted().payee(),
                r.receipt().channel() == null ? "" : " from channel " + r.receipt().channel().channelId()
                        + " (signed in total: " + Amounts.format(r.highestSigned()) + " GRID)");
        out.printf("time to first token %d ms, %.1f tokens/s%n", r.timeToFirstToken().toMillis(), r.tokensPerSecond());
        out.flush();
    }
}
