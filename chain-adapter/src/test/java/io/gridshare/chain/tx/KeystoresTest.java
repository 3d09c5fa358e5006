package io.gridshare.chain.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gridshare.chain.KeystoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.crypto.WalletUtils;

class KeystoresTest {
    @TempDir
    static Path dir;
    private static Path keystore;
    private static ECKeyPair keyPair;

    @BeforeAll
    static void writeKeystore() throws Exception {
        keyPair = Keys.createEcKeyPair();
        // light scrypt parameters keep the test fast; the format is the same
        keystore = dir.resolve(WalletUtils.generateWalletFile("correct horse", keyPair, dir.toFile(), false));
    }

    @Test
    @DisplayName("a keystore opens with the passphrase from a file, trailing newline ignored")
    void loadsWithPassphraseFile() throws Exception {
        Path passphrase = Files.writeString(dir.resolve("pass"), "correct horse\n");
        Credentials credentials = Keystores.load(keystore, Keystores.Passphrase.fromFile(passphrase));
        assertThat(credentials.getEcKeyPair().getPrivateKey()).isEqualTo(keyPair.getPrivateKey());
    }

    @Test
    @DisplayName("a keystore opens with the passphrase from an environment variable")
    void loadsWithEnvPassphrase() {
        Credentials credentials = Keystores.load(keystore,
                new Keystores.EnvPassphrase("GRIDSHARE_KEY_PASS", Map.of("GRIDSHARE_KEY_PASS", "correct horse")));
        assertThat(credentials.getAddress()).isEqualTo("0x" + Keys.getAddress(keyPair));
    }

    @Test
    @DisplayName("a wrong passphrase says so and names the keystore and its address")
    void wrongPassphrase() {
        assertThatThrownBy(() -> Keystores.load(keystore,
                new Keystores.EnvPassphrase("P", Map.of("P", "battery staple"))))
                .isInstanceOf(KeystoreException.class)
                .hasMessageContaining("Wrong passphrase")
                .hasMessageContaining(keystore.getFileName().toString())
                .hasMessageContaining(Keys.getAddress(keyPair));
    }

    @Test
    @DisplayName("a missing keystore file says where it looked")
    void missingKeystore() {
        Path missing = dir.resolve("nope.json");
        assertThatThrownBy(() -> Keystores.load(missing, Keystores.Passphrase.fromFile(dir.resolve("pass"))))
                .isInstanceOf(KeystoreException.class)
                .hasMessageContaining("does not exist")
                .hasMessageContaining(missing.toString());
    }

    @Test
    @DisplayName("a missing passphrase file or variable says which")
    void missingPassphrase() {
        assertThatThrownBy(() -> Keystores.load(keystore, Keystores.Passphrase.fromFile(dir.resolve("absent"))))
                .isInstanceOf(KeystoreException.class).hasMessageContaining("Passphrase file");
        assertThatThrownBy(() -> Keystores.load(keystore, new Keystores.EnvPassphrase("UNSET_VAR", Map.of())))
                .isInstanceOf(KeystoreException.class).hasMessageContaining("UNSET_VAR");
    }

    @Test
    @DisplayName("a file that is not a keystore is reported as such")
    void notAKeystore() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.json"), "{\"hello\":1}");
        assertThatThrownBy(() -> Keystores.load(junk, new Keystores.EnvPassphrase("P", Map.of("P", "x"))))
                .isInstanceOf(KeystoreException.class)
                .hasMessageContaining("not a valid encrypted JSON keystore");
    }
}
