package io.gridshare.chain;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Where the Gridshare contracts live: everything another module needs to talk to them. Can be
 * written to and read from a small JSON file, so a process that started a local chain can hand it
 * to others.
 *
 * @param rpcUrl JSON-RPC endpoint (HTTP)
 * @param chainId the chain's id (vouchers are bound to it)
 * @param gridToken GridToken address
 * @param nodeRegistry NodeRegistry address
 * @param paymentChannels PaymentChannels address
 */
public record Deployment(String rpcUrl, long chainId, String gridToken, String nodeRegistry, String paymentChannels) {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Writes this deployment as JSON (atomically). */
    public void write(Path file) {
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            MAPPER.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), this);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ChainException("Cannot write deployment file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a deployment written by {@link #write}. */
    public static Deployment read(Path file) {
        try {
            return MAPPER.readValue(file.toFile(), Deployment.class);
        } catch (IOException e) {
            throw new ChainException("Cannot read deployment file " + file + ": " + e.getMessage(), e);
        }
    }
}
