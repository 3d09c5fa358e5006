package io.gridshare.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gridshare.chain.Deployment;
import io.gridshare.chain.local.LocalChain;
import io.gridshare.client.NetworkFile;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/** `gridshare channel ...` against a real anvil with the Gridshare contracts deployed. */
class CliChannelCommandsTest {
    private static final BigInteger GRID = BigInteger.TEN.pow(18);
    private static final long CHAIN_ID = 31_338;
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

    private Cli.Result run(Credentials tenant, Object... args) {
        return Cli.run(dir, Cli.args(args, Cli.chainOptions(deployment), Cli.keyOptions(dir, tenant),
                "--ledger-dir", dir.resolve("ledger")));
    }

    private String gateway() {
        return chain.account(2).getAddress();
    }

    @Test
    void openCreatesAChannelToTheGatewayWithTheDeposit() {
        Cli.Result result = run(chain.account(3), "channel", "open", "--json", "--deposit", "10", "--payee", gateway());

        assertThat(result.code()).as(result.err()).isZero();
        JsonNode json = result.json();
        assertThat(json.path("payee").asText()).isEqualToIgnoringCase(gateway());
        assertThat(json.path("payer").asText()).isEqualToIgnoringCase(chain.account(3).getAddress());
        assertThat(json.path("signer").asText()).isEqualToIgnoringCase(chain.account(3).getAddress());
        assertThat(new BigInteger(json.path("deposit").asText())).isEqualTo(GRID.multiply(BigInteger.TEN));
        BigInteger id = new BigInteger(json.path("channelId").asText());
        assertThat(chain.connection()).isNotNull();
        assertThat(io.gridshare.chain.contracts.GridshareContracts.readOnly(chain.connection(), deployment)
                .paymentChannels().channel(id).deposit()).isEqualTo(GRID.multiply(BigInteger.TEN));
    }

    @Test
    void openWithPermitNeedsNoSeparateApproval() {
        Cli.Result result = run(chain.account(4), "channel", "open", "--json", "--permit", "--deposit", "2.5", "--payee", gateway());

        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.json().path("deposit").asText()).isEqualTo("2500000000000000000");
    }

    @Test
    void statusTopUpAndCloseFollowTheChannelThroughItsLife() {
        Credentials tenant = chain.account(5);
        String id = run(tenant, "channel", "open", "--json", "--deposit", "1", "--payee", gateway()).json().path("channelId").asText();

        Cli.Result status = run(tenant, "channel", "status", "--channel", id);
        assertThat(status.code()).as(status.err()).isZero();
        assertThat(status.out()).contains("deposit         1 GRID").contains("remaining       1 GRID").contains("state           open");

        Cli.Result topUp = run(tenant, "channel", "topup", "--json", "--channel", id, "--amount", "2");
        assertThat(topUp.code()).as(topUp.err()).isZero();
        assertThat(topUp.json().path("deposit").asText()).isEqualTo(GRID.multiply(BigInteger.valueOf(3)).toString());

        Cli.Result closing = run(tenant, "channel", "close", "--channel", id);
        assertThat(closing.code()).as(closing.err()).isZero();
        assertThat(closing.out()).contains("state           closing").contains("--finalize");

        chain.increaseTime(3601);
        Cli.Result closed = run(tenant, "channel", "close", "--json", "--channel", id, "--finalize");
        assertThat(closed.code()).as(closed.err()).isZero();
        assertThat(closed.json().path("closed").asBoolean()).isTrue();
        assertThat(closed.json().path("remaining").asText()).isEqualTo("0");
    }

    @Test
    void withoutAChannelIdItFindsTheNewestOpenChannelToThePayee() {
        Credentials tenant = chain.account(6);
        run(tenant, "channel", "open", "--deposit", "1", "--payee", gateway());
        String newest = run(tenant, "channel", "open", "--json", "--deposit", "2", "--payee", gateway()).json().path("channelId").asText();

        Cli.Result status = run(tenant, "channel", "status", "--json", "--payee", gateway());

        assertThat(status.code()).as(status.err()).isZero();
        assertThat(status.json().path("channelId").asText()).isEqualTo(newest);
    }

    @Test
    void noChannelToTheGatewaySaysHowToOpenOne() {
        Cli.Result result = run(chain.account(7), "channel", "status", "--payee", gateway());

        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err()).contains("no channel to gateway " + gateway())
                .contains("gridshare channel open --payee " + gateway() + " --deposit");
    }

    @Test
    void anInsufficientGridBalanceIsExplainedBeforeAnyTransaction() {
        Cli.Result result = run(chain.account(8), "channel", "open", "--deposit", "2000000", "--payee", gateway());

        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err()).contains("insufficient GRID balance").contains("holds 1000000 GRID");
    }

    @Test
    void theNetworkFileSuppliesChainKeyAndChannel() {
        Credentials tenant = chain.account(1);
        String id = run(tenant, "channel", "open", "--json", "--deposit", "1", "--payee", gateway()).json().path("channelId").asText();
        NetworkFile.empty().withDeployment(deployment).with(NetworkFile.GATEWAY_PAYEE, gateway())
                .with(NetworkFile.TENANT_PRIVATE_KEY, "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")
                .with(NetworkFile.TENANT_CHANNEL_ID, id)
                .write(dir.resolve(NetworkFile.DEFAULT_RELATIVE));

        Cli.Result status = Cli.run(dir, "channel", "status", "--json", "--ledger-dir", dir.resolve("ledger").toString());

        assertThat(status.code()).as(status.err()).isZero();
        assertThat(status.json().path("channelId").asText()).isEqualTo(id);
        assertThat(status.json().path("payer").asText()).isEqualToIgnoringCase(tenant.getAddress());
        assertThat(List.of(status.json().path("closed").asBoolean())).containsExactly(false);
    }
}
