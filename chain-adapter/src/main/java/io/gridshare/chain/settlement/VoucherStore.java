package io.gridshare.chain.settlement;

import io.gridshare.chain.ChainException;
import io.gridshare.chain.voucher.Voucher;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;
import org.web3j.utils.Numeric;

/**
 * The latest voucher per channel, kept durably in an append-only file: every accepted voucher is
 * one line with a CRC, written and fsynced before {@link #put} returns, so a crash loses none. On
 * open, the file is replayed (the highest amount per channel wins; a torn last line is ignored)
 * and compacted to one line per channel.
 */
public final class VoucherStore implements AutoCloseable {
    private static final String FILE = "vouchers.log";
    private final Path file;
    private final Map<BigInteger, Voucher> latest = new LinkedHashMap<>();
    private FileChannel out;

    /** Opens (creating if needed) the store in {@code directory}. */
    public VoucherStore(Path directory) {
        try {
            Files.createDirectories(directory);
            this.file = directory.resolve(FILE);
            if (Files.exists(file)) {
                replay();
                compact();
            }
            out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new ChainException("Cannot open the voucher store in " + directory + ": " + e.getMessage(), e);
        }
    }

    private void replay() throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            Voucher voucher = parse(lines.get(i));
            if (voucher == null) {
                if (i == lines.size() - 1) {
                    break; // a write torn by a crash: that voucher was never acknowledged
                }
                throw new ChainException("Voucher store " + file + " is corrupt at line " + (i + 1)
                        + "; restore it from a backup (vouchers in it are the only proof of what is owed)");
            }
            Voucher known = latest.get(voucher.channelId());
            if (known == null || voucher.cumulativeAmount().compareTo(known.cumulativeAmount()) > 0) {
                latest.put(voucher.channelId(), voucher);
            }
        }
    }

    private void compact() throws IOException {
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (Voucher voucher : latest.values()) {
                channel.write(ByteBuffer.wrap(format(voucher).getBytes(StandardCharsets.UTF_8)));
            }
            channel.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Appends the voucher durably and makes it the channel's latest. */
    public synchronized void put(Voucher voucher) {
        try {
            out.write(ByteBuffer.wrap(format(voucher).getBytes(StandardCharsets.UTF_8)));
            out.force(false);
        } catch (IOException e) {
            throw new ChainException("Cannot write voucher for channel " + voucher.channelId() + " to " + file
                    + ": " + e.getMessage() + " (the voucher was not accepted)", e);
        }
        latest.put(voucher.channelId(), voucher);
    }

    public synchronized Optional<Voucher> latest(BigInteger channelId) {
        return Optional.ofNullable(latest.get(channelId));
    }

    /** The latest voucher of every channel. */
    public synchronized List<Voucher> all() {
        return List.copyOf(latest.values());
    }

    private static String format(Voucher voucher) {
        String body = voucher.channelId().toString(16) + " " + voucher.cumulativeAmount().toString(16) + " "
                + Numeric.cleanHexPrefix(voucher.signatureHex());
        return body + " " + crc(body) + "\n";
    }

    private static Voucher parse(String line) {
        String[] parts = line.trim().split(" ");
        if (parts.length != 4) {
            return null;
        }
        String body = parts[0] + " " + parts[1] + " " + parts[2];
        if (!crc(body).equals(parts[3])) {
            return null;
        }
        try {
            return new Voucher(new BigInteger(parts[0], 16), new BigInteger(parts[1], 16), Numeric.hexStringToByteArray(parts[2]));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String crc(String body) {
        CRC32 crc = new CRC32();
        crc.update(body.getBytes(StandardCharsets.UTF_8));
        return Long.toHexString(crc.getValue());
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new ChainException("Cannot close voucher store " + file + ": " + e.getMessage(), e);
        }
    }
}
