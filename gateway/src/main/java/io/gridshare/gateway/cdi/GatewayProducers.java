package io.gridshare.gateway.cdi;

import com.hazelcast.core.HazelcastInstance;
import io.gridshare.gateway.GatewayServices;
import io.gridshare.gateway.cluster.ClusterRouting;
import io.gridshare.gateway.config.GatewaySettings;
import io.gridshare.gateway.grid.GridConfig;
import io.gridshare.gateway.grid.HazelcastAvailabilityGrid;
import io.gridshare.gateway.grid.HazelcastMembers;
import io.gridshare.gateway.grid.LatencyTracker;
import io.gridshare.gateway.grid.Scheduler;
import io.gridshare.gateway.grid.routing.HazelcastJobRouter;
import io.gridshare.gateway.job.JobMeter;
import io.gridshare.gateway.link.InMemoryNodeStakeCheck;
import io.gridshare.gateway.link.NodeStakeCheck;
import io.gridshare.gateway.observe.GatewayObserver;
import io.gridshare.gateway.observe.PaymentObserver;
import io.gridshare.gateway.payment.GatewayPayments;
import io.gridshare.gateway.placement.GridPlacement;
import io.gridshare.gateway.placement.InMemoryPlacement;
import io.gridshare.gateway.placement.Placement;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.math.BigInteger;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.config.Config;

/**
 * Builds the gateway from MicroProfile Config: the embedded Hazelcast member and the clustered grid
 * ({@code gridshare.grid.mode=cluster}, the default) or a grid of this member alone
 * ({@code standalone}); the stake check ({@code gridshare.stake.source}); the job meter; and the job and
 * link services on top.
 */
@ApplicationScoped
public class GatewayProducers {

    private final Config config;
    private final GatewaySettings settings;
    private final boolean clustered;
    private HazelcastInstance hazelcast;
    private HazelcastAvailabilityGrid grid;
    private HazelcastJobRouter router;
    private GatewayServices services;
    private GatewayPayments payments;

    @Inject
    public GatewayProducers(Config config) {
        this.config = config;
        this.settings = GatewaySettings.from(config);
        String mode = config.getOptionalValue("gridshare.grid.mode", String.class).orElse("cluster");
        if (!mode.equals("cluster") && !mode.equals("standalone")) {
            throw new IllegalArgumentException("gridshare.grid.mode must be 'cluster' or 'standalone', was '" + mode
                    + "'");
        }
        this.clustered = mode.equals("cluster");
    }

    @Produces
    @Singleton
    public GatewaySettings settings() {
        return settings;
    }

    /** The embedded Hazelcast member, when clustered. */
    public synchronized Optional<HazelcastInstance> hazelcast() {
        if (clustered && hazelcast == null) {
            GridConfig read = GridConfig.from(config);
            GridConfig grid = GridConfig.builder().clusterName(read.clusterName()).gatewayId(settings.gatewayId())
                    .bindAddress(read.bindAddress().orElse(null)).port(read.port())
                    .portAutoIncrement(read.portAutoIncrement()).members(read.members())
                    .kubernetesServiceDns(read.kubernetesServiceDns().orElse(null))
                    .partitionCount(read.partitionCount()).heartbeatInterval(settings.heartbeatInterval())
                    .nodeExpiry(settings.linkExpiry()).splitBrainProtectionSize(read.splitBrainProtectionSize())
                    .jobEventCapacity(read.jobEventCapacity()).joinWait(read.joinWait()).build();
            hazelcast = HazelcastMembers.start(grid);
            this.grid = new HazelcastAvailabilityGrid(hazelcast, grid.nodeExpiry());
            this.router = new HazelcastJobRouter(hazelcast);
        }
        return Optional.ofNullable(hazelcast);
    }

    @Produces
    @Singleton
    public NodeStakeCheck stakeCheck() {
        String source = config.getOptionalValue("gridshare.stake.source", String.class).orElse("in-memory");
        switch (source) {
            case "in-memory" -> {
                BigInteger minimum = new BigInteger(config.getOptionalValue("gridshare.stake.minimum", String.class)
                        .orElse("1"));
                InMemoryNodeStakeCheck check = new InMemoryNodeStakeCheck(minimum);
                // "0xaddress=amount,0xaddress=amount": stakes for a gateway run without a chain
                config.getOptionalValues("gridshare.stake.in-memory.stakes", String.class).ifPresent(list -> {
                    for (String pair : list) {
                        String[] kv = pair.trim().split("=", 2);
                        if (kv.length != 2) {
                            throw new IllegalArgumentException("gridshare.stake.in-memory.stakes entries look like "
                                    + "0xaddress=amount, got '" + pair + "'");
                        }
                        check.stake(kv[0].trim(), new BigInteger(kv[1].trim()));
                    }
                });
                return check;
            }
            case "chain" -> {
                io.gridshare.chain.ChainSettings chain = io.gridshare.chain.ChainSettings.from(
                        k -> config.getOptionalValue(k, String.class).orElse(null));
                io.gridshare.chain.contracts.GridshareContracts contracts = chain.connect();
                return new io.gridshare.gateway.link.ChainNodeStakeCheck(contracts.nodeRegistry(), contracts.chain());
            }
            default -> throw new IllegalArgumentException("gridshare.stake.source must be 'in-memory' or 'chain', was '"
                    + source + "'");
        }
    }

    /**
     * The payment-channel meter when a chain is configured (docs/payments.md), else a meter that only
     * counts ({@code gridshare.payment.enabled=false}: free mode). Payment events go to the metrics
     * ({@link PaymentMetrics}).
     */
    @Produces
    @ApplicationScoped
    public synchronized JobMeter jobMeter(PaymentMetrics metrics) {
        if (payments == null) {
            payments = GatewayPayments.fromConfig(config, settings, metrics);
        }
        return payments.meter();
    }

    @Produces
    @Singleton
    public synchronized GatewayServices services(NodeStakeCheck stakeCheck, JobMeter meter, GatewayObserver observer) {
        if (services == null) {
            Optional<HazelcastInstance> hz = hazelcast();
            if (hz.isPresent()) {
                Placement placement = new GridPlacement(grid, new Scheduler(grid, new LatencyTracker()),
                        settings.gatewayId());
                services = new GatewayServices(settings, placement, stakeCheck, meter, observer,
                        links -> new ClusterRouting(hz.get(), router, links));
            } else {
                services = new GatewayServices(settings, new InMemoryPlacement(UUID.randomUUID().toString()),
                        stakeCheck, meter, observer, GatewayServices.STANDALONE);
            }
        }
        return services;
    }

    @PreDestroy
    synchronized void shutdown() {
        if (services != null) {
            services.close();
        }
        if (payments != null) {
            payments.close();
        }
        if (router != null) {
            router.close();
        }
        if (grid != null) {
            grid.close();
        }
        if (hazelcast != null) {
            hazelcast.shutdown();
        }
    }
}
