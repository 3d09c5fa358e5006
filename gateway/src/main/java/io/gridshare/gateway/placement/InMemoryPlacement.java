package io.gridshare.gateway.placement;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The grid of one gateway member, held in memory: nodes linked to this member only. Used by the
 * in-process tests and by a gateway that runs alone; the clustered grid is the Hazelcast one.
 * Ranking: cheapest first, then least loaded, then fastest.
 */
public final class InMemoryPlacement implements Placement {

    private final String member;
    private final Map<String, NodeEntry> nodes = new LinkedHashMap<>();
    // slots handed out by reserve() and not yet released; the node's own report may lag behind them
    private final Map<String, Integer> reserved = new HashMap<>();

    public InMemoryPlacement(String member) {
        this.member = member;
    }

    @Override
    public synchronized void publish(NodeEntry entry) {
        nodes.put(entry.nodeId(), entry);
    }

    @Override
    public synchronized void refresh(String nodeId, int freeSlots, float load, float tokensPerSecond) {
        NodeEntry e = nodes.get(nodeId);
        if (e != null) {
            nodes.put(nodeId, new NodeEntry(e.nodeId(), e.ownerMember(), e.models(), e.pricePerToken(),
                    e.totalSlots(), freeSlots, load, tokensPerSecond));
        }
    }

    @Override
    public synchronized void remove(String nodeId) {
        nodes.remove(nodeId);
        reserved.remove(nodeId);
    }

    private int available(NodeEntry e) {
        int held = reserved.getOrDefault(e.nodeId(), 0);
        return Math.max(0, Math.min(e.freeSlots(), e.totalSlots() - held));
    }

    @Override
    public synchronized Selection reserve(String model, BigInteger maxPrice, Set<String> excluded) {
        List<NodeEntry> serving = nodes.values().stream().filter(e -> e.serves(model)).toList();
        if (serving.isEmpty()) {
            return new Selection.UnknownModel();
        }
        List<NodeEntry> affordable = serving.stream()
                .filter(e -> maxPrice == null || e.pricePerToken().compareTo(maxPrice) <= 0).toList();
        if (affordable.isEmpty()) {
            return new Selection.PriceTooHigh(serving.stream().map(NodeEntry::pricePerToken)
                    .min(Comparator.naturalOrder()).orElseThrow());
        }
        var best = affordable.stream()
                .filter(e -> !excluded.contains(e.nodeId()) && available(e) > 0)
                .min(Comparator.comparing(NodeEntry::pricePerToken)
                        .thenComparingDouble(e -> 1.0 - (double) available(e) / Math.max(1, e.totalSlots()))
                        .thenComparingDouble(e -> -e.tokensPerSecond()));
        if (best.isEmpty()) {
            return new Selection.NoFreeSlot();
        }
        NodeEntry e = best.get();
        reserved.merge(e.nodeId(), 1, Integer::sum);
        return new Selection.Reserved(e, e.model(model));
    }

    @Override
    public synchronized void release(String nodeId) {
        reserved.computeIfPresent(nodeId, (k, v) -> v <= 1 ? null : v - 1);
    }

    @Override
    public synchronized List<ModelSummary> models() {
        Map<String, ModelSummary> byHash = new LinkedHashMap<>();
        for (NodeEntry e : nodes.values()) {
            for (NodeEntry.Model m : e.models()) {
                ModelSummary s = byHash.get(m.modelHash());
                int free = available(e);
                byHash.put(m.modelHash(), s == null
                        ? new ModelSummary(m.name(), m.modelHash(), free, e.totalSlots(), 1, e.pricePerToken(),
                                m.contextLength())
                        : new ModelSummary(s.name(), s.modelHash(), s.freeSlots() + free,
                                s.totalSlots() + e.totalSlots(), s.nodes() + 1,
                                s.minPricePerToken().min(e.pricePerToken()), s.contextLength()));
            }
        }
        return new ArrayList<>(byHash.values());
    }

    @Override
    public String localMember() {
        return member;
    }
}
