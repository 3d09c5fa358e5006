package io.gridshare.gateway.local;

import io.gridshare.client.ChannelKey;
import io.gridshare.client.JobResult;
import io.gridshare.client.JobSpec;
import io.gridshare.client.TenantClient;
import io.gridshare.client.TokenListener;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * What a tenant sees through the local network: time to first token and tokens per second of
 * {@code jobs} sequential jobs of {@code tokens} tokens, paid through a channel, and the gas every
 * transaction of the run (opens, redemptions, fee collection, close) spent per 1,000 tokens served.
 *
 * <pre>
 * ./mvnw -B -ntp -pl gateway -am package -DskipTests
 * java --add-modules jdk.incubator.vector -cp "gateway/target/gridshare-gateway.jar:gateway/target/libs/*" \
 *     io.gridshare.gateway.local.LocalNetworkBenchmark 20 128
 * </pre>
 */
public final class LocalNetworkBenchmark {
    private LocalNetworkBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int tokens = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        PrintStream out = System.out;
        Path root = LocalNetwork.repositoryRoot();
        LocalNetworkSettings settings = LocalNetworkSettings.defaults(root, LocalModels.resolve(root, out));
        try (LocalNetwork network = LocalNetwork.start(settings, out)) {
            GatewayMember gateway = network.gateways().getFirst();
            Web3j web3j = network.chain().connection().web3j();
            long firstBlock = network.chain().connection().blockNumber().longValueExact() + 1;
            ChannelKey channel = network.openChannel(LocalNetwork.DEMO_TENANT, gateway.key().address(),
                    settings.tenantDeposit());
            List<Long> ttft = new ArrayList<>();
            List<Double> rates = new ArrayList<>();
            long served = 0;
            BigInteger signed = BigInteger.ZERO;
            try (TenantClient client = network.tenantClient(LocalNetwork.DEMO_TENANT, gateway)) {
                for (int i = 0; i < jobs + 2; i++) {
                    JobResult r = client.generate(JobSpec.builder(LocalModels.MODEL, "Once upon a time")
                            .maxTokens(tokens).temperature(0f).channel(channel).build(), TokenListener.ignoring());
                    served += r.completionTokens();
                    signed = r.highestSigned();
                    if (i >= 2) { // the first two warm up the JIT of every process
                        ttft.add(r.timeToFirstToken().toMillis());
                        rates.add(r.tokensPerSecond());
                    }
                }
            }
            Collections.sort(ttft);
            Collections.sort(rates);
            out.printf(Locale.ROOT, "[bench] %d jobs × %d tokens (after 2 warm-up jobs), paid %s base units in all%n",
                    jobs, tokens, signed);
            out.printf(Locale.ROOT, "[bench] time to first token: median %d ms, p90 %d ms%n", ttft.get(ttft.size() / 2),
                    ttft.get(Math.min(ttft.size() - 1, ttft.size() * 9 / 10)));
            out.printf(Locale.ROOT, "[bench] tokens/s per job: median %.0f, min %.0f%n", rates.get(rates.size() / 2),
                    rates.getFirst());
            network.awaitRedeemed(channel, signed, Duration.ofSeconds(120));
            network.collectFees();
            network.closeChannel(LocalNetwork.DEMO_TENANT, channel);
            long lastBlock = network.chain().connection().blockNumber().longValueExact();
            long gas = 0;
            int transactions = 0;
            for (long b = firstBlock; b <= lastBlock; b++) {
                EthBlock.Block block = web3j.ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(b)), false)
                        .send().getBlock();
                for (EthBlock.TransactionResult<?> tx : block.getTransactions()) {
                    TransactionReceipt receipt = web3j.ethGetTransactionReceipt((String) tx.get()).send()
                            .getTransactionReceipt().orElseThrow();
                    gas += receipt.getGasUsed().longValueExact();
                    transactions++;
                }
            }
            out.printf(Locale.ROOT, "[bench] chain: %d transactions, %d gas in blocks %d..%d for %d tokens = %.0f gas per "
                    + "1,000 tokens%n", transactions, gas, firstBlock, lastBlock, served, gas * 1000.0 / served);
        }
    }
}
