package io.gridshare.gateway.cdi;

import io.gridshare.gateway.GatewayServices;
import io.gridshare.gateway.observe.GatewayObserver;
import io.gridshare.gateway.placement.Placement;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.Timer;
import org.eclipse.microprofile.metrics.annotation.RegistryScope;

/**
 * The gateway's MicroProfile metrics (Prometheus at /metrics). Latency names follow vLLM's where they
 * mean the same: {@code time_to_first_token_seconds} and {@code inter_token_latency_seconds}, here as
 * seen by the tenant through the gateway.
 */
@ApplicationScoped
public class MetricsObserver implements GatewayObserver {

    private final MetricRegistry registry;
    private final Instance<GatewayServices> services;
    private final AtomicInteger activeStreams = new AtomicInteger();
    private final Timer timeToFirstToken;
    private final Timer interTokenLatency;
    private final Counter tokensStreamed;
    private final Counter failovers;
    private final Map<String, Boolean> modelGauges = new ConcurrentHashMap<>();

    @Inject
    public MetricsObserver(@RegistryScope(scope = MetricRegistry.APPLICATION_SCOPE) MetricRegistry registry,
                           Instance<GatewayServices> services) {
        this.registry = registry;
        this.services = services;
        timeToFirstToken = registry.timer(Metadata.builder().withName("time_to_first_token")
                .withDescription("Time from the tenant's request to its first token, through the gateway")
                .withUnit(MetricUnits.SECONDS).build());
        interTokenLatency = registry.timer(Metadata.builder().withName("inter_token_latency")
                .withDescription("Time between two tokens reaching the tenant").withUnit(MetricUnits.SECONDS).build());
        tokensStreamed = registry.counter(Metadata.builder().withName("gridshare_tokens_streamed")
                .withDescription("Tokens sent to tenants").build());
        failovers = registry.counter(Metadata.builder().withName("gridshare_failovers")
                .withDescription("Jobs moved to another node after theirs was lost").build());
        registry.gauge(Metadata.builder().withName("gridshare_streams_active")
                .withDescription("Tenant streams open now").build(), activeStreams, AtomicInteger::get);
        registry.gauge(Metadata.builder().withName("gridshare_nodes_linked")
                .withDescription("Nodes linked to this gateway member").build(), this, o -> o.linkedNodes());
    }

    private int linkedNodes() {
        return services.isResolvable() ? services.get().links().linkedNodes() : 0;
    }

    private int freeSlots(String modelHash) {
        if (!services.isResolvable()) {
            return 0;
        }
        return services.get().placement().models().stream().filter(m -> m.modelHash().equals(modelHash))
                .mapToInt(Placement.ModelSummary::freeSlots).sum();
    }

    @Override
    public void requestReceived(String api) {
        registry.counter("gridshare_requests", new Tag("api", api)).inc();
    }

    @Override
    public void requestRejected(String code) {
        registry.counter("gridshare_requests_rejected", new Tag("code", code)).inc();
    }

    @Override
    public void streamOpened() {
        activeStreams.incrementAndGet();
    }

    @Override
    public void streamClosed() {
        activeStreams.decrementAndGet();
    }

    @Override
    public void firstToken(Duration sinceRequest) {
        timeToFirstToken.update(sinceRequest);
    }

    @Override
    public void interToken(Duration gap) {
        interTokenLatency.update(gap);
    }

    @Override
    public void tokensStreamed(int tokens) {
        tokensStreamed.inc(tokens);
    }

    @Override
    public void failover() {
        failovers.inc();
    }

    @Override
    public void nodeLinked() {
        if (!services.isResolvable()) {
            return;
        }
        // one free-slots gauge per model, registered the first time a node offers it
        for (Placement.ModelSummary m : services.get().placement().models()) {
            modelGauges.computeIfAbsent(m.modelHash(), hash -> {
                registry.gauge(Metadata.builder().withName("gridshare_model_free_slots")
                        .withDescription("Free slots per model over the grid").build(), this,
                        o -> o.freeSlots(hash), new Tag("model", m.name()), new Tag("model_hash", hash));
                return true;
            });
        }
    }

    @Override
    public void nodeRejected(String reason) {
        registry.counter("gridshare_nodes_rejected", new Tag("reason", reason)).inc();
    }
}
