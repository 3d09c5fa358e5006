package io.gridshare.gateway.grid;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses a node for a job and reserves a slot on it.
 *
 * <p><b>Eligible</b>: the model is loaded, a slot is free, the price is within the tenant's maximum (the
 * grid's query), and the node is not excluded.
 *
 * <p><b>Ranked</b> by a weighted cost, lowest first: {@code priceWeight × price/maxPrice + loadWeight ×
 * busy + latencyWeight × latency/maxLatency}, each term relative to the candidates at hand so the terms
 * are comparable. {@code busy} is the larger of the node's reported load and the grid's own view
 * ({@code 1 - freeSlots/totalSlots}, which already counts fresh reservations); {@code latency} is the
 * inter-token EWMA this gateway measured ({@link LatencyTracker}), else {@code 1/tokensPerSecond} from
 * heartbeats, else neutral. Ties are broken at random so equal nodes share the work.
 *
 * <p><b>Fair</b> between tenants, per gateway member: a tenant is "active" for
 * {@link SchedulerPolicy#tenantActiveWindow()} after its last request. Its fair share is
 * {@code ceil(capacity / activeTenants)}, where capacity is the free slots plus the jobs active tenants run
 * here. While slots are plentiful anyone may exceed its share; once the free slots are no more than the
 * number of other active tenants still below their share, a tenant at or above its share is refused
 * ({@link SchedulingException.Reason#TENANT_LIMIT}), so the last slots go to tenants that have fewer.
 * An optional hard cap bounds every tenant.
 *
 * <p><b>Races</b>: another member may take the last slot between the query and the reservation; the
 * reservation then fails and the next candidate is tried, up to {@link SchedulerPolicy#maxAttempts()}.
 */
public final class Scheduler {

    private static final MathContext MC = MathContext.DECIMAL64;

    private final AvailabilityGrid grid;
    private final LatencyTracker latency;
    private final SchedulerPolicy policy;
    private final Clock clock;
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Map<String, Long> lastSeen = new ConcurrentHashMap<>();
    private final Map<String, Placement> placements = new ConcurrentHashMap<>();

    public Scheduler(AvailabilityGrid grid, LatencyTracker latency, SchedulerPolicy policy, Clock clock) {
        this.grid = Objects.requireNonNull(grid, "grid");
        this.latency = Objects.requireNonNull(latency, "latency");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Scheduler(AvailabilityGrid grid, LatencyTracker latency) {
        this(grid, latency, SchedulerPolicy.defaults(), Clock.systemUTC());
    }

    /**
     * Places a job: reserves a slot on the best eligible node.
     *
     * @throws SchedulingException when no node can take it now; the reason says why
     */
    public Placement place(JobRequest request) throws SchedulingException {
        if (placements.containsKey(request.jobId())) {
            // placing again would hold a second slot: on failover, hand back the failed placement first
            throw new IllegalStateException("job " + request.jobId() + " is already placed; call finished() on its "
                    + "placement before placing it again");
        }
        long now = clock.millis();
        lastSeen.put(request.tenantId(), now);
        int attempts = 0;
        for (int round = 0; round < 2 && attempts < policy.maxAttempts(); round++) {
            List<NodeEntry> candidates = grid.candidates(request.query()).stream()
                    .filter(n -> !request.excludedNodes().contains(n.nodeId()))
                    .toList();
            if (candidates.isEmpty()) {
                break;
            }
            checkTenantShare(request.tenantId(), candidates, now);
            for (NodeEntry node : rank(candidates)) {
                if (attempts++ >= policy.maxAttempts()) {
                    break;
                }
                Optional<SlotReservation> reservation = grid.reserve(node.nodeId(), request.jobId(), request.query());
                if (reservation.isPresent()) {
                    Placement placement = new Placement(request.tenantId(), reservation.get(), node);
                    placements.put(request.jobId(), placement);
                    inFlight.computeIfAbsent(request.tenantId(), t -> new AtomicInteger()).incrementAndGet();
                    return placement;
                }
            }
        }
        throw unavailable(request);
    }

    /** Ends a job's placement: frees its slot and its tenant's share. Idempotent. */
    public void finished(Placement placement) {
        if (placements.remove(placement.reservation().jobId(), placement)) {
            AtomicInteger n = inFlight.get(placement.tenantId());
            if (n != null) {
                n.decrementAndGet();
            }
        }
        grid.release(placement.reservation());
    }

    /** Jobs the tenant runs through this gateway now. */
    public int inFlight(String tenantId) {
        AtomicInteger n = inFlight.get(tenantId);
        return n == null ? 0 : n.get();
    }

    /** Candidates in the order they would be tried (best first). */
    public List<NodeEntry> rank(List<NodeEntry> candidates) {
        List<NodeEntry> shuffled = new ArrayList<>(candidates);
        Collections.shuffle(shuffled);
        BigInteger maxPrice = candidates.stream().map(NodeEntry::pricePerToken).max(Comparator.naturalOrder())
                .orElse(BigInteger.ZERO);
        double maxLatency = candidates.stream().map(this::latencyMillis).filter(OptionalDouble::isPresent)
                .mapToDouble(OptionalDouble::getAsDouble).max().orElse(0);
        Map<NodeEntry, Double> cost = new java.util.IdentityHashMap<>();
        for (NodeEntry n : shuffled) {
            double price = maxPrice.signum() == 0 ? 0
                    : new BigDecimal(n.pricePerToken()).divide(new BigDecimal(maxPrice), MC).doubleValue();
            double busy = n.totalSlots() == 0 ? 1
                    : Math.max(n.load(), 1.0 - (double) n.freeSlots() / n.totalSlots());
            OptionalDouble l = latencyMillis(n);
            double lat = maxLatency <= 0 ? 0 : l.isPresent() ? l.getAsDouble() / maxLatency : 0.5;
            cost.put(n, policy.priceWeight() * price + policy.loadWeight() * busy + policy.latencyWeight() * lat);
        }
        shuffled.sort(Comparator.comparingDouble(cost::get)); // stable: ties keep the shuffled order
        return shuffled;
    }

    private OptionalDouble latencyMillis(NodeEntry n) {
        OptionalDouble measured = latency.interTokenMillis(n.nodeId());
        if (measured.isPresent()) {
            return measured;
        }
        return n.tokensPerSecond() > 0 ? OptionalDouble.of(1000.0 / n.tokensPerSecond()) : OptionalDouble.empty();
    }

    private void checkTenantShare(String tenant, List<NodeEntry> candidates, long now) throws SchedulingException {
        int mine = inFlight(tenant);
        if (policy.maxInFlightPerTenant() > 0 && mine >= policy.maxInFlightPerTenant()) {
            throw new SchedulingException(SchedulingException.Reason.TENANT_LIMIT, "tenant " + tenant + " runs "
                    + mine + " jobs, the most this gateway allows one tenant; wait for one to finish");
        }
        long since = now - policy.tenantActiveWindow().toMillis();
        List<String> active = lastSeen.entrySet().stream().filter(e -> e.getValue() >= since).map(Map.Entry::getKey)
                .toList();
        int free = candidates.stream().mapToInt(NodeEntry::freeSlots).sum();
        int running = active.stream().mapToInt(this::inFlight).sum();
        int share = Math.max(1, (int) Math.ceil((double) (free + running) / Math.max(1, active.size())));
        if (mine < share) {
            return;
        }
        long owed = active.stream().filter(t -> !t.equals(tenant)).filter(t -> inFlight(t) < share).count();
        if (free <= owed) {
            throw new SchedulingException(SchedulingException.Reason.TENANT_LIMIT, "tenant " + tenant + " runs "
                    + mine + " jobs, its fair share (" + share + ") while " + owed
                    + " other tenants wait for the last " + free + " free slots; retry shortly");
        }
    }

    private SchedulingException unavailable(JobRequest request) {
        ModelQuery q = request.query();
        if (q.maxPricePerToken().isPresent() && !grid.candidates(ModelQuery.of(q.model())).isEmpty()) {
            return new SchedulingException(SchedulingException.Reason.PRICE_TOO_LOW, "every node with a free slot for "
                    + q.model() + " charges more than " + q.maxPricePerToken().get() + " per token; raise the maximum");
        }
        boolean loaded = grid.models().stream().anyMatch(m -> q.byHash()
                ? m.model().hash().equals(q.canonicalHash()) : m.model().name().equals(q.model()));
        return loaded
                ? new SchedulingException(SchedulingException.Reason.NO_FREE_SLOT,
                        "every node with " + q.model() + " is busy; retry shortly")
                : new SchedulingException(SchedulingException.Reason.MODEL_UNAVAILABLE,
                        "no live node has model " + q.model() + " loaded; list models with ListModels");
    }
}
