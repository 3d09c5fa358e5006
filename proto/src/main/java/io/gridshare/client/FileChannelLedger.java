package io.gridshare.client;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A durable ledger: one small file per channel under a directory, holding the highest signed
 * amount in decimal. Each update writes a temporary file, fsyncs it, renames it over the old one
 * atomically and fsyncs the directory, so after a crash the file holds either the old or the new
 * amount, never a torn one. Safe for several threads of one process; two processes must not share
 * a channel's file.
 */
public final class FileChannelLedger implements ChannelLedger {
    private final Path directory;

    /** Uses (and creates if needed) {@code directory}. */
    public FileChannelLedger(Path directory) {
        this.directory = directory.toAbsolutePath();
        try {
            Files.createDirectories(this.directory);
        } catch (IOException e) {
            throw new GridshareClientException("Cannot create the channel ledger directory " + this.directory + ": "
                    + e.getMessage(), "choose a writable directory (--ledger-dir)", e);
        }
    }

    /** The default: {@code ~/.gridshare/ledger}. */
    public static FileChannelLedger inHome() {
        return new FileChannelLedger(Path.of(System.getProperty("user.home"), ".gridshare", "ledger"));
    }

    public Path directory() {
        return directory;
    }

    @Override
    public synchronized BigInteger highestSigned(ChannelKey channel) {
        Path file = directory.resolve(channel.fileName());
        if (!Files.exists(file)) {
            return BigInteger.ZERO;
        }
        try {
            return new BigInteger(Files.readString(file, StandardCharsets.UTF_8).trim());
        } catch (IOException | NumberFormatException e) {
            throw new GridshareClientException("Cannot read the channel ledger " + file + ": " + e.getMessage(),
                    "restore the file or delete it only if no voucher was ever signed for " + channel, e);
        }
    }

    @Override
    public synchronized void recordSigned(ChannelKey channel, BigInteger cumulativeAmount) {
        BigInteger current = highestSigned(channel);
        if (cumulativeAmount.compareTo(current) <= 0) {
            throw new IllegalArgumentException("Cannot record " + cumulativeAmount + " for " + channel
                    + ": not above the " + current + " already signed");
        }
        Path file = directory.resolve(channel.fileName());
        Path tmp = directory.resolve(channel.fileName() + ".tmp");
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                out.write(ByteBuffer.wrap((cumulativeAmount + "\n").getBytes(StandardCharsets.UTF_8)));
                out.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory();
        } catch (IOException e) {
            throw new GridshareClientException("Cannot persist the signed amount " + cumulativeAmount + " for " + channel
                    + " in " + directory + ": " + e.getMessage(), "free disk space or fix permissions; no voucher was sent", e);
        }
    }

    private void syncDirectory() {
        // makes the rename durable; some file systems refuse to open a directory, and then the rename is as durable as they allow
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // best effort (see above)
        }
    }
}
