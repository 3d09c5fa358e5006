package io.gridshare.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridshare.chain.Deployment;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkFileTest {

    @Test
    void whatTheLauncherWritesTheCliReadsBack(@TempDir Path root) {
        Deployment deployment = new Deployment("http://127.0.0.1:8545", 31337, "0x5fbdb2315678afecb367f032d93f642f64180aa3",
                "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512", "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0");
        NetworkFile written = NetworkFile.empty().withDeployment(deployment)
                .with(NetworkFile.GATEWAY_GRPC, "127.0.0.1:9090").with(NetworkFile.GATEWAY_HTTP, "http://127.0.0.1:8080")
                .with(NetworkFile.GATEWAY_PAYEE, "0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
                .with(NetworkFile.TENANT_PRIVATE_KEY, "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")
                .with(NetworkFile.TENANT_CHANNEL_ID, 3).withNodeKey(0, "0xaa").withNodeKey(1, "0xbb")
                .with("launcher.pid", 1234);
        Path file = root.resolve(NetworkFile.DEFAULT_RELATIVE);
        written.write(file);

        NetworkFile read = NetworkFile.read(file);
        assertThat(read.deployment()).contains(deployment);
        assertThat(read.gatewayGrpc()).contains("127.0.0.1:9090");
        assertThat(read.gatewayPayee()).contains("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
        assertThat(read.tenantChannelId()).contains(BigInteger.valueOf(3));
        assertThat(read.nodeKeys()).containsExactly("0xaa", "0xbb");
        assertThat(read.get("launcher.pid")).contains("1234");
        assertThat(read.values()).isEqualTo(written.values());
    }

    @Test
    void isFoundInTheWorkingDirectoryOrAParent(@TempDir Path root) throws Exception {
        Path file = root.resolve(NetworkFile.DEFAULT_RELATIVE);
        NetworkFile.empty().with(NetworkFile.GATEWAY_GRPC, "127.0.0.1:9091").write(file);
        Path deep = Files.createDirectories(root.resolve("a/b/c"));

        assertThat(NetworkFile.find(deep)).contains(file);
        assertThat(NetworkFile.find(root.resolve(".."))).isEmpty();
    }
}
