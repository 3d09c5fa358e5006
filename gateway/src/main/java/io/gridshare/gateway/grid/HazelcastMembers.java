package io.gridshare.gateway.grid;

import com.hazelcast.config.Config;
import com.hazelcast.config.ExecutorConfig;
import com.hazelcast.config.IndexConfig;
import com.hazelcast.config.IndexType;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.ReliableTopicConfig;
import com.hazelcast.config.RingbufferConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.spi.merge.LatestUpdateMergePolicy;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionOn;
import com.hazelcast.topic.TopicOverloadPolicy;

import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * Builds the Hazelcast configuration of a gateway's embedded member, and starts members. Every setting
 * the grid depends on (map indexes, merge policy, serializers, the job router's topics) is here, so all
 * members agree.
 */
public final class HazelcastMembers {

    /** The availability grid: node id → {@link NodeEntry}. */
    public static final String NODES_MAP = "gridshare.nodes";
    /** Executor the job router uses to hand assignments and cancels to the member that holds a node's link. */
    public static final String ROUTER_EXECUTOR = "gridshare.job-router";
    /** Prefix of each member's reliable topic of routed job events (suffix: the member UUID). */
    public static final String JOB_EVENTS_TOPIC_PREFIX = "gridshare.job-events.";

    private static final String SPLIT_BRAIN_PROTECTION = "gridshare.nodes.protection";

    private HazelcastMembers() {
    }

    /** Starts an embedded member with {@link #config(GridConfig)}. */
    public static HazelcastInstance start(GridConfig grid) {
        return Hazelcast.newHazelcastInstance(config(grid));
    }

    public static Config config(GridConfig grid) {
        Config config = new Config();
        config.setClusterName(grid.clusterName());
        // the gateway's CDI container shuts the member down; a JVM hook would race it
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.logging.type", "jdk");
        config.setProperty("hazelcast.partition.count", Integer.toString(grid.partitionCount()));
        long joinWaitSeconds = Math.max(0, grid.joinWait().toSeconds());
        config.setProperty("hazelcast.wait.seconds.before.join", Long.toString(joinWaitSeconds));
        config.setProperty("hazelcast.max.wait.seconds.before.join", Long.toString(joinWaitSeconds * 2));
        // expired entries must be noticed (and their expiry events fired, which drive failover) within
        // about a second, not the default 5 s sweep
        config.setProperty("hazelcast.internal.map.expiration.task.period.seconds", "1");
        config.setProperty("hazelcast.internal.map.expiration.cleanup.percentage", "100");
        config.getMetricsConfig().setEnabled(false);
        config.getJetConfig().setEnabled(false);

        network(config.getNetworkConfig(), grid);
        config.addMapConfig(nodesMap(grid));
        if (grid.splitBrainProtectionSize() > 0) {
            config.addSplitBrainProtectionConfig(new SplitBrainProtectionConfig(SPLIT_BRAIN_PROTECTION, true,
                    grid.splitBrainProtectionSize()).setProtectOn(SplitBrainProtectionOn.READ_WRITE));
        }

        String eventTopics = JOB_EVENTS_TOPIC_PREFIX + "*";
        config.addReliableTopicConfig(new ReliableTopicConfig(eventTopics)
                .setReadBatchSize(64)
                .setTopicOverloadPolicy(TopicOverloadPolicy.DISCARD_OLDEST)
                // without an executor of its own the topic's reader runs on Hazelcast's default async
                // executor, which on a 2-CPU machine starts a new thread for every batch it reads
                .setExecutor(daemonPool("gridshare-job-events", 2))
                .setStatisticsEnabled(false));
        config.addRingBufferConfig(new RingbufferConfig("_hz_rb_" + eventTopics)
                .setCapacity(grid.jobEventCapacity())
                // token events are worth little once a member is gone (its tenants' streams are gone
                // too), so the backup is asynchronous: it does not add a round trip to every token
                .setBackupCount(0)
                .setAsyncBackupCount(1)
                .setTimeToLiveSeconds(0));
        config.addExecutorConfig(new ExecutorConfig(ROUTER_EXECUTOR).setPoolSize(8).setStatisticsEnabled(false));

        GridSerialization.register(config.getSerializationConfig());
        return config;
    }

    private static Executor daemonPool(String name, int threads) {
        return Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    private static void network(NetworkConfig network, GridConfig grid) {
        network.setPort(grid.port()).setPortAutoIncrement(grid.portAutoIncrement());
        grid.bindAddress().ifPresent(address -> {
            network.getInterfaces().setEnabled(true).addInterface(address);
            network.setPublicAddress(address + ":" + grid.port());
        });
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        if (grid.kubernetesServiceDns().isPresent()) {
            // DNS lookup mode: resolves the headless Service's A records, needs no API access (no RBAC)
            join.getKubernetesConfig().setEnabled(true)
                    .setProperty("service-dns", grid.kubernetesServiceDns().get())
                    .setProperty("service-port", Integer.toString(grid.port()));
            join.getTcpIpConfig().setEnabled(false);
        } else {
            join.getTcpIpConfig().setEnabled(true).setMembers(grid.members());
        }
    }

    private static MapConfig nodesMap(GridConfig grid) {
        MapConfig map = new MapConfig(NODES_MAP)
                .setBackupCount(1)
                // LatestUpdateMergePolicy compares last-update times, which need per-entry stats
                .setPerEntryStatsEnabled(true)
                .setMergePolicyConfig(new MergePolicyConfig(LatestUpdateMergePolicy.class.getName(),
                        MergePolicyConfig.DEFAULT_BATCH_SIZE))
                .addIndexConfig(new IndexConfig(IndexType.HASH, "modelHashes[any]").setName("nodes-by-model-hash"))
                .addIndexConfig(new IndexConfig(IndexType.HASH, "modelNames[any]").setName("nodes-by-model-name"))
                .addIndexConfig(new IndexConfig(IndexType.HASH, "ownerMember").setName("nodes-by-owner"));
        // TTL is per entry (set by publish and heartbeat), not a map default: reservations and releases
        // must not extend a silent node's life, and max-idle would count every read as activity
        map.setTimeToLiveSeconds(0).setMaxIdleSeconds(0);
        if (grid.splitBrainProtectionSize() > 0) {
            map.setSplitBrainProtectionName(SPLIT_BRAIN_PROTECTION);
        }
        return map;
    }
}
