package io.gridshare.chain.tx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridshare.chain.KeystoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.web3j.crypto.exception.CipherException;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.WalletUtils;

/**
 * Loads signing keys from standard encrypted JSON keystores (the Web3 Secret Storage format that
 * geth, cast and web3j write). The passphrase comes from a file (for Kubernetes secrets mounted as
 * files) or from an environment variable, never from a command line or a config file in clear.
 */
public final class Keystores {

    /** Where a keystore passphrase comes from. */
    public sealed interface Passphrase permits FilePassphrase, EnvPassphrase {
        /** Reads the passphrase; fails with a {@link KeystoreException} saying where it looked. */
        String read();

        /** A file whose content (without trailing line breaks) is the passphrase. */
        static Passphrase fromFile(Path file) {
            return new FilePassphrase(file);
        }

        /** An environment variable that holds the passphrase. */
        static Passphrase fromEnv(String variable) {
            return new EnvPassphrase(variable, System.getenv());
        }
    }

    /** The passphrase is the content of a file, trailing CR/LF removed. */
    public record FilePassphrase(Path file) implements Passphrase {
        @Override
        public String read() {
            if (!Files.isRegularFile(file)) {
                throw new KeystoreException("Passphrase file " + file.toAbsolutePath() + " does not exist or is not a file");
            }
            try {
                return Files.readString(file, StandardCharsets.UTF_8).replaceAll("[\r\n]+$", "");
            } catch (IOException e) {
                throw new KeystoreException("Cannot read passphrase file " + file.toAbsolutePath() + ": " + e.getMessage(), e);
            }
        }
    }

    /** The passphrase is the value of an environment variable. */
    public record EnvPassphrase(String variable, Map<String, String> environment) implements Passphrase {
        @Override
        public String read() {
            String value = environment.get(variable);
            if (value == null) {
                throw new KeystoreException("Environment variable " + variable + " that should hold the keystore passphrase is not set");
            }
            return value;
        }
    }

    private Keystores() {
    }

    /**
     * Decrypts a keystore.
     *
     * @throws KeystoreException when the file is missing or malformed or the passphrase is wrong
     */
    public static Credentials load(Path keystore, Passphrase passphrase) {
        if (!Files.isRegularFile(keystore)) {
            throw new KeystoreException("Keystore file " + keystore.toAbsolutePath() + " does not exist. Create one "
                    + "(e.g. `cast wallet new <dir>`) or point the configuration at the right file");
        }
        String address = addressOf(keystore);
        String secret = passphrase.read();
        try {
            return WalletUtils.loadCredentials(secret, keystore.toFile());
        } catch (CipherException e) {
            if (e.getMessage() == null || !e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("password")) {
                throw new KeystoreException("Keystore file " + keystore.toAbsolutePath()
                        + " is not a valid encrypted JSON keystore: " + e.getMessage(), e);
            }
            throw new KeystoreException("Wrong passphrase for keystore " + keystore.toAbsolutePath()
                    + (address == null ? "" : " (address 0x" + address + ")") + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new KeystoreException("Keystore file " + keystore.toAbsolutePath()
                    + " is not a valid encrypted JSON keystore: " + e.getMessage(), e);
        }
    }

    private static String addressOf(Path keystore) {
        try {
            JsonNode node = new ObjectMapper().readTree(keystore.toFile());
            return node.path("address").asText(null);
        } catch (IOException e) {
            return null;
        }
    }
}
