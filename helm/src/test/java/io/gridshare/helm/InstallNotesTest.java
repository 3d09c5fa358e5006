package io.gridshare.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * NOTES.txt, as `helm install` prints it: a client-side dry run renders it without a cluster.
 */
class InstallNotesTest {

    private static String notes(Path... valuesFiles) {
        InstallCommand install = new Helm(Chart.dir()).install().withName(Chart.RELEASE).withNamespace(Chart.NAMESPACE)
                .clientOnly().dryRun().withDryRunOption(DryRun.CLIENT);
        for (Path valuesFile : valuesFiles) {
            install = install.withValuesFile(valuesFile);
        }
        String output = install.call().getOutput();
        assertThat(output).contains("NOTES:");
        return output.substring(output.indexOf("NOTES:"));
    }

    @Test
    @DisplayName("with the defaults the notes ask for contract addresses and keystores")
    void defaultsAskForWhatIsMissing() {
        String notes = notes();

        assertThat(notes)
                .contains("ACTION NEEDED - contract addresses not set: gridToken, nodeRegistry, paymentChannels.")
                .contains("ACTION NEEDED - the gateway has no keystore.")
                .contains("ACTION NEEDED - the nodes have no keystore.");
    }

    @Test
    @DisplayName("a complete production install needs no action and says how to reach the gateway and label GPU hosts")
    void productionNeedsNoAction() {
        String notes = notes(Chart.ciValues("production-values.yaml"));

        assertThat(notes).doesNotContain("ACTION NEEDED")
                .contains("Gateway cluster: 3 member(s)")
                .contains("gs-gridshare-gateway-grpc.grid.svc.cluster.local:9090")
                .contains("kubectl label node <host> gridshare.io/gpu=true nvidia.com/gpu.present=true");
    }

    @Test
    @DisplayName("a gateway-only install says no nodes are deployed")
    void gatewayOnlySaysNodesDialIn() {
        assertThat(notes(Chart.ciValues("gateway-only-values.yaml")))
                .contains("Compute nodes are not deployed by this release")
                .doesNotContain("the nodes have no keystore");
    }

    @Test
    @DisplayName("API discovery is called out with its Role")
    void apiDiscoveryMentionsTheRole() {
        assertThat(notes(Chart.ciValues("api-discovery-values.yaml"))).contains("discovery: kubernetes (api, with a Role to read endpoints)");
    }
}
