package io.gridshare.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gridshare.chain.Deployment;
import io.gridshare.chain.contracts.GridshareContracts;
import io.gridshare.chain.contracts.PaymentChannelsClient;
import io.gridshare.chain.local.LocalChain;
import io.gridshare.chain.settlement.VoucherStore;
import io.gridshare.chain.tx.TransactionOptions;
import io.gridshare.chain.voucher.Vouchers;
import java.math.BigInteger;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/** `gridshare node ...` against a real anvil with the Gridshare contracts deployed. */
class CliNodeCommandsTest {
    private static final BigInteger GRID = BigInteger.TEN.pow(18);
    private static final long CHAIN_ID = 31_339;
    private static LocalChain chain;
    private static Deployment deployment;

    @TempDir
    Path dir;

    @BeforeAll
    static void startChain() {
        // a chain id of its own: the chain-adapter shares nonces per (chain id, account) across the JVM
        chain = LocalChain.start(LocalChain.Options.defaults().withChainId(CHAIN_ID));
        deployment = chain.deployment();
    }

    @AfterAll
    static void stopChain() {
        chain.close();
    }

    private Cli.Result run(Credentials operator, Object... args) {
        return Cli.run(dir, Cli.args(args, Cli.chainOptions(deployment), Cli.keyOptions(dir, operator)));
    }

    @Test
    void registerStakesTheMinimumAndTheNodeIsActive() {
        String nodeKey = chain.account(4).getAddress();
        Cli.Result result = run(chain.account(3), "node", "register", "--json", "--node-key", nodeKey,
                "--metadata-uri", "https://example.org/node-4.json");

        assertThat(result.code()).as(result.err()).isZero();
        JsonNode json = result.json();
        assertThat(json.path("registered").asBoolean()).isTrue();
        assertThat(json.path("active").asBoolean()).isTrue();
        assertThat(json.path("operator").asText()).isEqualToIgnoringCase(chain.account(3).getAddress());
        assertThat(json.path("bonded").asText()).isEqualTo(GRID.multiply(BigInteger.valueOf(1000)).toString());
        assertThat(json.path("metadataUri").asText()).isEqualTo("https://example.org/node-4.json");
    }

    @Test
    void statusShowsAnUnregisteredKeyAsSuch() {
        Cli.Result result = run(chain.account(3), "node", "status", "--node-key", chain.account(6).getAddress());

        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out()).contains("registered      no").contains("active          no");
    }

    @Test
    void registeringTwiceSaysTheNodeIsAlreadyRegistered() {
        String nodeKey = chain.account(5).getAddress();
        assertThat(run(chain.account(3), "node", "register", "--node-key", nodeKey, "--stake", "1500").code()).isZero();

        Cli.Result again = run(chain.account(3), "node", "register", "--node-key", nodeKey);
        Cli.Result status = run(chain.account(3), "node", "status", "--node-key", nodeKey);

        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("already registered").contains("gridshare node status --node-key " + nodeKey);
        assertThat(status.out()).contains("bonded          1500 GRID");
    }

    @Test
    void aStakeAboveTheBalanceIsExplained() {
        Cli.Result result = run(chain.account(3), "node", "register", "--node-key", chain.account(7).getAddress(),
                "--stake", "5000000");

        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err()).contains("insufficient GRID balance").contains("what to do:");
    }

    @Test
    void earningsSumTheRedeemedVouchersAndCountTheUnredeemedOnes() {
        Credentials payer = chain.account(1);
        Credentials node = chain.account(8);
        GridshareContracts contracts = GridshareContracts.as(chain.connection(), deployment, payer, TransactionOptions.defaults());
        contracts.gridToken().approve(deployment.paymentChannels(), GRID);
        PaymentChannelsClient channels = contracts.paymentChannels();
        BigInteger id = channels.open(node.getAddress(), deployment.gridToken(), GRID, payer.getAddress());
        var redeemed = Vouchers.sign(channels.domain(), id, GRID.divide(BigInteger.TEN), payer);
        contracts.as(node).paymentChannels().redeem(redeemed);
        try (VoucherStore store = new VoucherStore(dir.resolve("settlement"))) {
            store.put(redeemed);
            store.put(Vouchers.sign(channels.domain(), id, GRID.divide(BigInteger.valueOf(4)), payer));
        }

        Cli.Result result = run(node, "node", "earnings", "--json", "--node-key", node.getAddress(),
                "--settlement-dir", dir.resolve("settlement"));

        assertThat(result.code()).as(result.err()).isZero();
        JsonNode json = result.json();
        // 1 % protocol fee on redeem (LocalChain's default)
        assertThat(json.path("redeemedToNode").asText()).isEqualTo(GRID.divide(BigInteger.TEN).multiply(BigInteger.valueOf(99)).divide(BigInteger.valueOf(100)).toString());
        assertThat(json.path("protocolFees").asText()).isEqualTo(GRID.divide(BigInteger.valueOf(1000)).toString());
        assertThat(json.path("redemptions")).hasSize(1);
        assertThat(json.path("unredeemed").asText()).isEqualTo(GRID.divide(BigInteger.valueOf(4)).subtract(GRID.divide(BigInteger.TEN)).toString());

        Cli.Result text = run(node, "node", "earnings", "--node-key", node.getAddress());
        assertThat(text.out()).contains("redeemed        0.099 GRID to the node in 1 redemption(s) (0.001 GRID protocol fee)");
    }
}
