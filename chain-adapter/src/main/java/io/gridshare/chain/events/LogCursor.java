package io.gridshare.chain.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gridshare.chain.ChainException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Durable position of a {@link LogWatcher}: the next block to scan and the hashes of recently
 * scanned blocks (to notice reorgs). Saved atomically (write, fsync, rename) after each poll.
 */
public final class LogCursor {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final Path file;
    private long nextBlock;
    private final NavigableMap<Long, String> hashes = new TreeMap<>();

    private LogCursor(Path file, long nextBlock) {
        this.file = file;
        this.nextBlock = nextBlock;
    }

    /** Loads the cursor from {@code file}, or starts at {@code startBlock} when there is none. */
    public static LogCursor open(Path file, long startBlock) {
        LogCursor cursor = new LogCursor(file, startBlock);
        if (Files.exists(file)) {
            try {
                ObjectNode node = (ObjectNode) MAPPER.readTree(file.toFile());
                cursor.nextBlock = node.path("nextBlock").asLong();
                node.path("hashes").fields().forEachRemaining(e -> cursor.hashes.put(Long.parseLong(e.getKey()), e.getValue().asText()));
            } catch (IOException | RuntimeException e) {
                throw new ChainException("Log cursor " + file + " is unreadable (" + e.getMessage()
                        + "); delete it to rescan from block " + startBlock, e);
            }
        }
        return cursor;
    }

    public long nextBlock() {
        return nextBlock;
    }

    NavigableMap<Long, String> hashes() {
        return hashes;
    }

    void advance(long next, long block, String hash, int keep) {
        nextBlock = next;
        hashes.put(block, hash);
        while (hashes.size() > keep) {
            hashes.pollFirstEntry();
        }
    }

    void rewindTo(long block) {
        nextBlock = block;
        hashes.tailMap(block, true).clear();
    }

    void save() {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("nextBlock", nextBlock);
        ObjectNode h = node.putObject("hashes");
        for (Map.Entry<Long, String> e : hashes.entrySet()) {
            h.put(Long.toString(e.getKey()), e.getValue());
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.write(tmp, MAPPER.writeValueAsBytes(node));
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ChainException("Cannot save log cursor " + file + ": " + e.getMessage(), e);
        }
    }
}
