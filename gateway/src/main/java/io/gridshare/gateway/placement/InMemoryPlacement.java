package io.gridshare.gateway.placement;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The grid of one gateway member held in memory: nodes linked to this member only, no TTL (the link's
 * own heartbeat expiry removes silent nodes). For in-process tests and a gateway started with
 * {@code gridshare.grid.mode=standalone}; the clustered grid is {@link GridPlacement}. Ranking: cheapest,
 * then least loaded.
 */
public final class InMemoryPlacement implements Placement {

    private final String member;
    private final Map<String, LinkedNode> nodes = new LinkedHashMap<>();
    private final Map<String, Integer> reportedFree = new HashMap<>();
    private final Map<String, Integer> reportedActive = new HashMap<>();
    // slots handed out by reserve() and not yet released; the node's own report may lag behind them
    private final Map<String, Set<String>> reserved = new HashMap<>();

    public InMemoryPlacement(String member) {
        this.member = member;
    }

    @Override
    public synchronized void publish(LinkedNode node) {
        nodes.put(node.nodeId(), node);
        reportedFree.put(node.nodeId(), node.freeSlots());
    }

    @Override
    public synchronized CompletionStage<Boolean> refresh(String nodeId, int freeSlots, int activeJobs, float load,
                                                         long freeVramBytes, float tokensPerSecond) {
        if (!nodes.containsKey(nodeId)) {
            return CompletableFuture.completedFuture(false);
        }
        reportedFree.put(nodeId, freeSlots);
        reportedActive.put(nodeId, activeJobs);
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public synchronized void remove(String nodeId) {
        nodes.remove(nodeId);
        reportedFree.remove(nodeId);
        reportedActive.remove(nodeId);
        reserved.remove(nodeId);
    }

    private int held(String nodeId) {
        Set<String> jobs = reserved.get(nodeId);
        return jobs == null ? 0 : jobs.size();
    }

    private int available(LinkedNode e) {
        // a reservation the node has not reported as active yet is counted once, not twice or never
        int held = held(e.nodeId());
        int unseen = Math.max(0, held - reportedActive.getOrDefault(e.nodeId(), 0));
        return Math.max(0, Math.min(e.totalSlots() - held, reportedFree.getOrDefault(e.nodeId(), 0) - unseen));
    }

    @Override
    public synchronized Selection reserve(String jobId, String tenantId, String model, BigInteger maxPrice,
                                          Set<String> excluded) {
        List<LinkedNode> serving = nodes.values().stream().filter(e -> e.serves(model)).toList();
        if (serving.isEmpty()) {
            return new Selection.Refused(Reason.UNKNOWN_MODEL, "no node serves model '" + model
                    + "' now; ListModels (or GET /v1/models) shows what is served");
        }
        List<LinkedNode> affordable = serving.stream()
                .filter(e -> maxPrice == null || e.pricePerToken().compareTo(maxPrice) <= 0).toList();
        if (affordable.isEmpty()) {
            BigInteger cheapest = serving.stream().map(LinkedNode::pricePerToken).min(Comparator.naturalOrder())
                    .orElseThrow();
            return new Selection.Refused(Reason.PRICE_TOO_HIGH, "every node serving '" + model + "' charges more than "
                    + maxPrice + " per token; the cheapest asks " + cheapest + "; raise the maximum");
        }
        var best = affordable.stream()
                .filter(e -> !excluded.contains(e.nodeId()) && available(e) > 0)
                .min(Comparator.comparing(LinkedNode::pricePerToken)
                        .thenComparingDouble(e -> 1.0 - (double) available(e) / Math.max(1, e.totalSlots())));
        if (best.isEmpty()) {
            return new Selection.Refused(Reason.NO_FREE_SLOT, "every node serving '" + model + "' is busy; retry shortly");
        }
        LinkedNode e = best.get();
        reserved.computeIfAbsent(e.nodeId(), k -> new java.util.HashSet<>()).add(jobId);
        LinkedNode.Model m = e.model(model);
        return new Selection.Reserved(e.nodeId(), e.ownerMember(), e.pricePerToken(), m.modelHash(), m.name(),
                m.contextLength(), jobId);
    }

    @Override
    public synchronized void release(Selection.Reserved r) {
        Set<String> jobs = reserved.get(r.nodeId());
        if (jobs != null) {
            jobs.remove((String) r.handle());
        }
    }

    @Override
    public synchronized List<ModelSummary> models() {
        Map<String, ModelSummary> byHash = new LinkedHashMap<>();
        for (LinkedNode e : nodes.values()) {
            for (LinkedNode.Model m : e.models()) {
                ModelSummary s = byHash.get(m.modelHash());
                int free = available(e);
                byHash.put(m.modelHash(), s == null
                        ? new ModelSummary(m.name(), m.modelHash(), free, e.totalSlots(), 1, e.pricePerToken(),
                                m.contextLength(), m.architecture(), m.parameters(), m.quantization(), m.chat())
                        // the model's details are the same on every node serving its hash: keep the first's
                        : new ModelSummary(s.name(), s.modelHash(), s.freeSlots() + free,
                                s.totalSlots() + e.totalSlots(), s.nodes() + 1,
                                s.minPricePerToken().min(e.pricePerToken()), s.contextLength(), s.architecture(),
                                s.parameters(), s.quantization(), s.chat()));
            }
        }
        return new ArrayList<>(byHash.values());
    }

    @Override
    public String localMember() {
        return member;
    }
}
