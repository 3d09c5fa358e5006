package io.gridshare.helm;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * values.schema.json must turn a wrong value into an install-time error that names the key,
 * rather than a pod that crash-loops later.
 */
class SchemaValidationTest {

    static Stream<Arguments> invalidValues() {
        return Stream.of(
                Arguments.of("replicas-as-word.yaml", "gateway.replicaCount", "Expected: integer, given: string"),
                Arguments.of("zero-replicas.yaml", "gateway.replicaCount", "greater than or equal to 1"),
                Arguments.of("unknown-discovery.yaml", "gateway.grid.discovery", "must be one of the following"),
                Arguments.of("unknown-kubernetes-mode.yaml", "gateway.grid.kubernetes.mode", "must be one of the following"),
                Arguments.of("unknown-top-level-key.yaml", "(root)", "Additional property gatway is not allowed"),
                Arguments.of("misspelt-nested-key.yaml", "gateway", "Additional property replicas is not allowed"),
                Arguments.of("unknown-backend.yaml", "node.backend", "must be one of the following"),
                Arguments.of("malformed-contract-address.yaml", "chain.contracts.paymentChannels", "Does not match pattern"),
                Arguments.of("chain-id-as-string.yaml", "chain.chainId", "Expected: integer, given: string"),
                Arguments.of("price-as-number.yaml", "node.pricePerToken", "Expected: string, given: integer"),
                Arguments.of("fee-above-100-percent.yaml", "gateway.feeBps", "less than or equal to 10000"),
                Arguments.of("gateway-without-port.yaml", "node.gateways.0", "Does not match pattern"),
                Arguments.of("pvc-without-claim.yaml", "node.models.persistentVolumeClaim.claimName", "String length must be greater than or equal to 1"),
                Arguments.of("bad-env-name.yaml", "envNames.chainRpcUrl", "Does not match pattern"),
                Arguments.of("ingress-without-hosts.yaml", "gateway.ingress.hosts", "Array must have at least 1 items"));
    }

    @ParameterizedTest(name = "{0} is rejected at {1}")
    @MethodSource("invalidValues")
    void invalidValuesAreRejectedNamingTheKey(String file, String key, String reason) {
        Path values = Chart.moduleDir().resolve("src/test/resources/invalid-values").resolve(file);

        assertThatThrownBy(() -> Chart.render(values))
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining(key + ":")
                .hasMessageContaining(reason);
    }

    @Test
    @DisplayName("--set with a word for the replica count is rejected like a values file")
    void setWithWrongTypeIsRejected() {
        assertThatThrownBy(() -> Chart.render(List.of(), Map.of("gateway.replicaCount", "three")))
                .hasMessageContaining("gateway.replicaCount: Invalid type. Expected: integer, given: string");
    }

    @Test
    @DisplayName("a percentage is a valid minAvailable for the PodDisruptionBudget")
    void percentageMinAvailableIsAccepted() {
        assertThatCode(() -> Chart.render(List.of(), Map.of("gateway.podDisruptionBudget.minAvailable", "50%")))
                .doesNotThrowAnyException();
    }
}
