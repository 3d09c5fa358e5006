package io.gridshare.gateway.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenAiSessionTest {

    private static final String CONTRACT = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
    private static final String KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

    @TempDir
    Path dir;

    private Path file(String text) throws Exception {
        return Files.writeString(dir.resolve("sessions.properties"), text);
    }

    @Test
    void aSessionIsFoundByItsApiKeyWithItsChannelOnTheGatewaysChain() throws Exception {
        Map<String, OpenAiSession> sessions = OpenAiSession.load(file("""
                session.alice.api-key=sk-a
                session.alice.channel-id=7
                session.alice.private-key=%s
                """.formatted(KEY)), 31337, CONTRACT);

        OpenAiSession alice = sessions.get("sk-a");
        assertThat(alice.channel().channelId()).isEqualTo(BigInteger.valueOf(7));
        assertThat(alice.channel().chainId()).isEqualTo(31337);
        assertThat(alice.channel().contract()).isEqualTo(CONTRACT);
        assertThat(alice.sessionKey().getAddress()).isEqualTo("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
        assertThat(alice.toString()).doesNotContain("sk-a").doesNotContain(KEY.substring(2));
    }

    @Test
    void aSessionWithoutAChannelIdIsRefusedNamingTheMissingKey() throws Exception {
        Path f = file("session.bob.api-key=sk-b\nsession.bob.private-key=" + KEY + "\n");

        assertThatThrownBy(() -> OpenAiSession.load(f, 31337, CONTRACT))
                .hasMessageContaining("session.bob.channel-id is missing");
    }

    @Test
    void anApiKeyUsedByTwoSessionsIsRefused() throws Exception {
        Path f = file("""
                session.a.api-key=sk-same
                session.a.channel-id=1
                session.a.private-key=%s
                session.b.api-key=sk-same
                session.b.channel-id=2
                session.b.private-key=%s
                """.formatted(KEY, KEY));

        assertThatThrownBy(() -> OpenAiSession.load(f, 31337, CONTRACT)).hasMessageContaining("used by another session");
    }

    @Test
    void anUnknownKeyIsRefusedSayingWhatEntriesLookLike() throws Exception {
        Path f = file("session.alice.apikey=sk-a\n");

        assertThatThrownBy(() -> OpenAiSession.load(f, 31337, CONTRACT))
                .hasMessageContaining("session.<name>.api-key");
    }
}
