package io.gridshare.gateway.grid;

import com.hazelcast.config.Config;
import com.hazelcast.config.IndexConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.spi.merge.LatestUpdateMergePolicy;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HazelcastMembersTest {

    @Test
    void underHelmMembersFindEachOtherByKubernetesDnsLookupAndNotByMemberList() {
        GridConfig grid = GridConfig.builder().kubernetesServiceDns("gridshare-gateway-hz.gridshare.svc.cluster.local")
                .members(List.of("127.0.0.1:5701")).build();

        Config config = HazelcastMembers.config(grid);

        var join = config.getNetworkConfig().getJoin();
        assertThat(join.getKubernetesConfig().isEnabled()).isTrue();
        assertThat(join.getKubernetesConfig().getProperty("service-dns"))
                .isEqualTo("gridshare-gateway-hz.gridshare.svc.cluster.local");
        assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
        assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    }

    @Test
    void locallyMembersJoinByTheTcpIpMemberListOnLoopback() {
        GridConfig grid = GridConfig.builder().bindAddress("127.0.0.1").port(5711)
                .members(List.of("127.0.0.1:5711", "127.0.0.1:5712")).build();

        Config config = HazelcastMembers.config(grid);

        var join = config.getNetworkConfig().getJoin();
        assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
        assertThat(join.getTcpIpConfig().getMembers()).containsExactly("127.0.0.1:5711", "127.0.0.1:5712");
        assertThat(join.getKubernetesConfig().isEnabled()).isFalse();
        assertThat(join.getMulticastConfig().isEnabled()).isFalse();
        assertThat(config.getNetworkConfig().getPort()).isEqualTo(5711);
        assertThat(config.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("127.0.0.1");
    }

    @Test
    void theMemberNeitherPhonesHomeNorInstallsAShutdownHookAndLogsThroughJdkLogging() {
        Config config = HazelcastMembers.config(GridConfig.builder().partitionCount(71).build());

        assertThat(config.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
        assertThat(config.getProperty("hazelcast.shutdownhook.enabled")).isEqualTo("false");
        assertThat(config.getProperty("hazelcast.logging.type")).isEqualTo("jdk");
        assertThat(config.getProperty("hazelcast.partition.count")).isEqualTo("71");
        assertThat(config.getMetricsConfig().isEnabled()).isFalse();
    }

    @Test
    void theNodesMapIsIndexedByModelMergesByLatestUpdateAndHasNoMapWideExpiry() {
        MapConfig nodes = HazelcastMembers.config(GridConfig.builder().build()).getMapConfig(HazelcastMembers.NODES_MAP);

        assertThat(nodes.getIndexConfigs()).flatExtracting(IndexConfig::getAttributes)
                .contains("modelHashes[any]", "modelNames[any]", "ownerMember");
        assertThat(nodes.getMergePolicyConfig().getPolicy()).isEqualTo(LatestUpdateMergePolicy.class.getName());
        assertThat(nodes.isPerEntryStatsEnabled()).isTrue();
        assertThat(nodes.getTimeToLiveSeconds()).isZero();
        assertThat(nodes.getMaxIdleSeconds()).isZero();
        assertThat(nodes.getSplitBrainProtectionName()).isNull();
    }

    @Test
    void aSplitBrainProtectionSizeGuardsTheNodesMap() {
        Config config = HazelcastMembers.config(GridConfig.builder().splitBrainProtectionSize(2).build());

        String name = config.getMapConfig(HazelcastMembers.NODES_MAP).getSplitBrainProtectionName();
        assertThat(name).isNotNull();
        assertThat(config.getSplitBrainProtectionConfig(name).getMinimumClusterSize()).isEqualTo(2);
    }

    @Test
    void settingsAreReadFromMicroProfileConfig() {
        var mp = ConfigProviderResolver.instance().getBuilder().withSources(new Source(Map.of(
                "gridshare.grid.cluster-name", "prod",
                "gridshare.grid.gateway-id", "gw-7",
                "gridshare.grid.port", "5801",
                "gridshare.grid.members", "10.0.0.1:5801,10.0.0.2:5801",
                "gridshare.grid.kubernetes.service-dns", "hz.ns.svc.cluster.local",
                "gridshare.grid.heartbeat-interval-ms", "1000",
                "gridshare.grid.node-expiry-ms", "4000"))).build();

        GridConfig grid = GridConfig.from(mp);

        assertThat(grid.clusterName()).isEqualTo("prod");
        assertThat(grid.gatewayId()).isEqualTo("gw-7");
        assertThat(grid.port()).isEqualTo(5801);
        assertThat(grid.members()).containsExactly("10.0.0.1:5801", "10.0.0.2:5801");
        assertThat(grid.kubernetesServiceDns()).contains("hz.ns.svc.cluster.local");
        assertThat(grid.heartbeatInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(grid.nodeExpiry()).isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void anExpiryShorterThanTwoHeartbeatIntervalsIsRefusedWithTheKeysToFix() {
        assertThatThrownBy(() -> GridConfig.builder().heartbeatInterval(Duration.ofSeconds(2))
                .nodeExpiry(Duration.ofSeconds(3)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gridshare.grid.node-expiry")
                .hasMessageContaining("heartbeat-interval");
    }

    private record Source(Map<String, String> values) implements ConfigSource {
        @Override
        public Set<String> getPropertyNames() {
            return values.keySet();
        }

        @Override
        public String getValue(String name) {
            return values.get(name);
        }

        @Override
        public String getName() {
            return "test";
        }
    }
}
