package io.gridshare.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gridshare.chain.local.AnvilAccounts;
import io.gridshare.client.NetworkFile;
import io.gridshare.client.ScriptedGateway;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.web3j.crypto.Credentials;

/** `gridshare generate` and `models` against a scripted gateway on a loopback port, paying under a deposit cap. */
class CliGenerateTest {
    private static final Credentials TENANT = AnvilAccounts.get(1);

    @TempDir
    Path dir;
    private ScriptedGateway gateway;
    private List<String> key;
    private List<String> channel;

    @BeforeEach
    void start() {
        ScriptedGateway.Script script = new ScriptedGateway.Script();
        script.expectedSigner = TENANT.getAddress();
        gateway = ScriptedGateway.onLoopback(script);
        key = Cli.keyOptions(dir, TENANT);
        channel = List.of("--channel", "7", "--chain-id", "31337", "--payment-channels", ScriptedGateway.testChannel(7).contract(),
                "--ledger-dir", dir.resolve("ledger").toString());
    }

    @AfterEach
    void stop() throws InterruptedException {
        gateway.close();
    }

    @Test
    void streamsTheTextThenPrintsTheReceipt() {
        Cli.Result result = Cli.run(dir, Cli.args("generate", "--gateway", gateway.target(), key, channel,
                "--deposit-cap", "1", "--max-tokens", "10", "Once"));

        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out()).startsWith(" Once upon a time there was a fox in the\n--\n")
                .contains("tokens: 10")
                .contains("paid 0.00000000000001 GRID (10000 base units = 10 tokens × 1000)")
                .contains("from channel 7");
        assertThat(gateway.latestVoucher(java.math.BigInteger.valueOf(7))).isEqualTo(java.math.BigInteger.valueOf(10_000));
    }

    @Test
    void jsonOutputCarriesTheReceiptForScripts() {
        Cli.Result result = Cli.run(dir, Cli.args("generate", "--json", "--gateway", gateway.target(), key, channel,
                "--deposit-cap", "1", "--max-tokens", "4", "Once"));

        assertThat(result.code()).as(result.err()).isZero();
        JsonNode json = result.json();
        assertThat(json.path("text").asText()).isEqualTo(" Once upon a time");
        assertThat(json.path("receipt").path("tokens").asInt()).isEqualTo(4);
        assertThat(json.path("receipt").path("amount").asText()).isEqualTo("4000");
        assertThat(json.path("paid").asText()).isEqualTo("4000");
        assertThat(json.path("finishReason").asText()).isEqualTo("FINISH_REASON_LENGTH");
    }

    @Test
    void stopsWithAClearErrorWhenTheDepositCapIsReached() {
        Cli.Result result = Cli.run(dir, Cli.args("generate", "--gateway", gateway.target(), key, channel,
                "--deposit-cap", "3000base", "--max-tokens", "10", "Once"));

        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err()).contains("above its deposit 3000").contains("what to do: top up the channel");
    }

    @Test
    void anUnreachableGatewaySaysHowToStartTheLocalNetwork() {
        Cli.Result result = Cli.run(dir, Cli.args("generate", "--gateway", "127.0.0.1:1", key, channel,
                "--deposit-cap", "1", "Once"));

        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err()).contains("error: cannot reach gateway at 127.0.0.1:1")
                .contains("./mvnw -Plocal-network -DskipTests package");
    }

    @Test
    void aWrongPassphraseIsReportedAsSuch() {
        Path wrong = dir.resolve("wrong-password");
        Cli.write(wrong, "not it");
        Cli.Result result = Cli.run(dir, Cli.args("generate", "--gateway", gateway.target(), "--keystore", key.get(1),
                "--password-file", wrong, channel, "--deposit-cap", "1", "Once"));

        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err()).contains("error: wrong keystore passphrase").contains("--password-file");
    }

    @Test
    void thePassphraseMayComeFromTheEnvironment() {
        Cli.Result result = Cli.run(dir, Map.of("GRIDSHARE_PASSWORD", Cli.PASSWORD), Cli.args("generate", "--gateway",
                gateway.target(), "--keystore", key.get(1), channel, "--deposit-cap", "1", "--max-tokens", "2", "Once"));

        assertThat(result.code()).as(result.err()).isZero();
    }

    @Test
    void theNetworkFileSuppliesGatewayKeyAndChannel() {
        NetworkFile.empty().with(NetworkFile.GATEWAY_GRPC, gateway.target()).with(NetworkFile.CHAIN_ID, 31337)
                .with(NetworkFile.PAYMENT_CHANNELS, ScriptedGateway.testChannel(7).contract())
                .with(NetworkFile.TENANT_PRIVATE_KEY, "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")
                .with(NetworkFile.TENANT_CHANNEL_ID, 7)
                .write(dir.resolve(NetworkFile.DEFAULT_RELATIVE));
        Path below = dir.resolve("sub");
        below.toFile().mkdirs();

        Cli.Result result = Cli.run(below, Cli.args("generate", "--json", "--deposit-cap", "1", "--max-tokens", "2",
                "--ledger-dir", dir.resolve("ledger"), "Once"));

        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.json().path("receipt").path("channelId").asText()).isEqualTo("7");
    }

    @Test
    void modelsListsWhatTheGatewayServes() throws InterruptedException {
        ScriptedGateway.Script script = new ScriptedGateway.Script();
        script.modelName = "qwen2.5-0.5b-instruct";
        script.architecture = "qwen2";
        script.parameters = 494_032_768L;
        script.quantization = "Q8_0 ×169";
        script.chat = true;
        Cli.Result table;
        Cli.Result json;
        try (ScriptedGateway qwen = ScriptedGateway.onLoopback(script)) {
            table = Cli.run(dir, "models", "--gateway", qwen.target());
            json = Cli.run(dir, "models", "--json", "--gateway", qwen.target());
        }

        assertThat(table.code()).as(table.err()).isZero();
        List<String> lines = table.out().lines().toList();
        assertThat(lines.get(0).split(" {1,}")).startsWith("MODEL", "ARCH", "PARAMS", "QUANT", "CONTEXT", "CHAT", "SLOTS");
        assertThat(lines.get(1)).startsWith("qwen2.5-0.5b-instruct").contains(" qwen2 ", " 494M ", " Q8_0 ×169 ",
                " 512 ", " yes ", " 3/4 ");
        JsonNode model = json.json().get(0);
        assertThat(model.path("name").asText()).isEqualTo("qwen2.5-0.5b-instruct");
        assertThat(model.path("minPricePerToken").asText()).isEqualTo("1000");
        assertThat(model.path("contextLength").asInt()).isEqualTo(512);
        assertThat(model.path("architecture").asText()).isEqualTo("qwen2");
        assertThat(model.path("parameters").asLong()).isEqualTo(494_032_768L);
        assertThat(model.path("quantization").asText()).isEqualTo("Q8_0 ×169");
        assertThat(model.path("chat").isBoolean()).isTrue();
        assertThat(model.path("chat").asBoolean()).isTrue();
    }

    @ParameterizedTest
    @CsvSource({"999, 999", "260032, 260K", "494032768, 494M", "999600, 1.0M", "1235814400, 1.2B", "70553706496, 71B"})
    void modelSizesReadTheWayTheyAreSpokenOf(long parameters, String shown) {
        assertThat(ModelsCommand.humanCount(parameters)).isEqualTo(shown);
    }
}
