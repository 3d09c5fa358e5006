package io.gridshare.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliUsageTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "gridshare {0} --help")
    @ValueSource(strings = {"", "generate", "models", "channel", "channel open", "channel status", "channel topup",
            "channel close", "node", "node register", "node status", "node earnings"})
    void everyCommandExplainsItselfWithHelp(String command) {
        String[] args = (command.isEmpty() ? "--help" : command + " --help").split(" ");
        Cli.Result result = Cli.run(dir, args);

        assertThat(result.code()).isZero();
        assertThat(result.out()).startsWith("Usage: gridshare" + (command.isEmpty() ? "" : " " + command));
        assertThat(result.err()).isEmpty();
    }

    @Test
    void theCommandListNamesEveryTenantAndOperatorCommand() {
        assertThat(Cli.run(dir, "--help").out()).contains("generate", "models", "channel", "node");
        assertThat(Cli.run(dir, "channel", "--help").out()).contains("open", "status", "topup", "close");
        assertThat(Cli.run(dir, "node", "--help").out()).contains("register", "status", "earnings");
    }

    @Test
    void aMissingRequiredOptionExitsTwoWithAHint() {
        Cli.Result result = Cli.run(dir, "channel", "open");

        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err()).contains("Missing required option: '--deposit=AMOUNT'")
                .contains("Run `gridshare channel open --help` for usage.");
    }

    @Test
    void anUnknownCommandExitsTwoWithASuggestion() {
        Cli.Result result = Cli.run(dir, "generat", "hello");

        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err()).contains("Unmatched arguments").contains("generate").contains("--help");
    }

    @Test
    void aMissingSubcommandExitsTwo() {
        Cli.Result result = Cli.run(dir, "node");

        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err()).contains("a subcommand is missing: register, status or earnings");
    }

    @Test
    void aMalformedAmountExitsTwoAndSaysHowToWriteOne() {
        Cli.Result result = Cli.run(dir, "channel", "open", "--deposit", "ten");

        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err()).contains("'ten' is not an amount").contains("1000base");
    }

    @Test
    void commandsThatNeedTheChainSayHowToConfigureIt() {
        Cli.Result result = Cli.run(dir, "node", "status", "--node-key", "0x90F79bf6EB2c4f870365E785982E1f101E93b906");

        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err()).contains("error: no chain configured").contains("./mvnw -Plocal-network -DskipTests package");
    }
}
