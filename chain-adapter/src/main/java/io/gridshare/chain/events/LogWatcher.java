package io.gridshare.chain.events;

import io.gridshare.chain.ChainConnection;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;

/**
 * Polls logs of some contracts by block range ({@code eth_getLogs}), remembering where it is in a
 * durable {@link LogCursor}. Each poll first checks the hashes of recently scanned blocks; when one
 * no longer matches (a reorg), it rewinds to the last block that still matches (at most
 * {@code reorgDepth} blocks back), tells the listener, and scans again from there.
 *
 * <p>Not thread-safe: call {@link #poll()} from one thread (e.g. a scheduled executor).
 */
public final class LogWatcher {
    private static final System.Logger LOG = System.getLogger(LogWatcher.class.getName());

    /**
     * @param maxBlockRange blocks per eth_getLogs (providers limit it)
     * @param reorgDepth how many recent block hashes are kept and how far a reorg may rewind
     */
    public record Options(int maxBlockRange, int reorgDepth) {
        public static Options defaults() {
            return new Options(2_000, 64);
        }
    }

    private final ChainConnection chain;
    private final List<String> addresses;
    private final List<String> topic0s;
    private final LogCursor cursor;
    private final Options options;
    private final LogListener listener;

    /**
     * @param addresses contracts to watch
     * @param topic0s event signatures to watch (empty: all events of those contracts)
     */
    public LogWatcher(ChainConnection chain, List<String> addresses, List<String> topic0s, LogCursor cursor,
                      Options options, LogListener listener) {
        this.chain = chain;
        this.addresses = List.copyOf(addresses);
        this.topic0s = List.copyOf(topic0s);
        this.cursor = cursor;
        this.options = options;
        this.listener = listener;
    }

    /** A stable identity of a log: block hash and log index. */
    public static String key(Log log) {
        return log.getBlockHash() + ":" + log.getLogIndex();
    }

    /** One round: detect reorgs, scan up to {@code maxBlockRange} new blocks, deliver, save. Returns logs delivered. */
    public int poll() {
        if (cursor.hashes().isEmpty() && cursor.nextBlock() > 0) {
            // anchor: the block before the first one scanned, so a reorg of scanned blocks finds its ancestor
            long anchor = cursor.nextBlock() - 1;
            cursor.advance(cursor.nextBlock(), anchor, blockHash(anchor), options.reorgDepth());
        }
        checkReorg();
        long head = chain.blockNumber().longValueExact();
        long from = cursor.nextBlock();
        if (from > head) {
            return 0;
        }
        long to = Math.min(head, from + options.maxBlockRange() - 1);
        EthFilter filter = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.valueOf(from)),
                DefaultBlockParameter.valueOf(BigInteger.valueOf(to)), addresses);
        if (!topic0s.isEmpty()) {
            filter.addOptionalTopics(topic0s.toArray(String[]::new));
        }
        String toHash = blockHash(to);
        List<EthLog.LogResult> results = chain.send("eth_getLogs", chain.web3j().ethGetLogs(filter)).getLogs();
        int delivered = 0;
        for (EthLog.LogResult<?> result : results) {
            Log log = (Log) result.get();
            if (log.isRemoved()) {
                continue;
            }
            listener.onLog(log);
            delivered++;
        }
        // if block `to` changed while we read, the next poll sees the mismatch and rescans it
        cursor.advance(to + 1, to, toHash, options.reorgDepth());
        cursor.save();
        return delivered;
    }

    private void checkReorg() {
        if (cursor.hashes().isEmpty()) {
            return;
        }
        Long rewindTo = null;
        for (Map.Entry<Long, String> entry : cursor.hashes().descendingMap().entrySet()) {
            String now = blockHash(entry.getKey());
            if (entry.getValue().equals(now)) {
                break;
            }
            rewindTo = entry.getKey();
        }
        if (rewindTo == null) {
            return;
        }
        // every recorded block from rewindTo on changed; the one before it (if any) still matches
        Long earlier = cursor.hashes().lowerKey(rewindTo);
        long from = earlier == null ? Math.max(0, rewindTo - options.reorgDepth()) : earlier + 1;
        LOG.log(System.Logger.Level.INFO, "Reorg detected: rescanning from block {0}", from);
        cursor.rewindTo(from);
        cursor.save();
        listener.onReorg(from);
    }

    private String blockHash(long number) {
        EthBlock.Block block = chain.send("eth_getBlockByNumber", chain.web3j().ethGetBlockByNumber(
                DefaultBlockParameter.valueOf(BigInteger.valueOf(number)), false)).getBlock();
        return block == null ? "" : block.getHash();
    }

    public LogCursor cursor() {
        return cursor;
    }
}
