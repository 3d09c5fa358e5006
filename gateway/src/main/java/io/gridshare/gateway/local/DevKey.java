package io.gridshare.gateway.local;

import io.gridshare.chain.local.AnvilAccounts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.web3j.crypto.exception.CipherException;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.WalletUtils;

/**
 * An anvil dev account written as a JSON keystore with its passphrase file, the way a gateway or a
 * node reads its key in production. These keys are public (anvil's test mnemonic): never for real funds.
 *
 * @param index the anvil account index
 * @param credentials the key
 * @param keystore the keystore file
 * @param passphraseFile the file holding the keystore's passphrase
 */
public record DevKey(int index, Credentials credentials, Path keystore, Path passphraseFile) {

    /** Writes anvil account {@code index} into {@code dir/<name>.json} with {@code dir/<name>.pass}. */
    public static DevKey write(int index, String name, Path dir) {
        Credentials credentials = AnvilAccounts.get(index);
        String passphrase = "local-" + name;
        try {
            Files.createDirectories(dir);
            Path pass = dir.resolve(name + ".pass");
            Files.writeString(pass, passphrase, StandardCharsets.UTF_8);
            String file = WalletUtils.generateWalletFile(passphrase, credentials.getEcKeyPair(), dir.toFile(), false);
            Path keystore = dir.resolve(name + ".json");
            Files.move(dir.resolve(file), keystore, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return new DevKey(index, credentials, keystore, pass);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the keystore for " + name + " in " + dir + ": " + e.getMessage(), e);
        } catch (CipherException e) {
            throw new IllegalStateException("Cannot encrypt the keystore for " + name + ": " + e.getMessage(), e);
        }
    }

    public String address() {
        return credentials.getAddress();
    }
}
