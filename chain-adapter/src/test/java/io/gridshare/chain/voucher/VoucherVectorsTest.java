package io.gridshare.chain.voucher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.web3j.crypto.Credentials;
import org.web3j.utils.Numeric;

/** The vectors the contracts' forge test also checks (contracts/test/vectors/vouchers.json, made with cast). */
class VoucherVectorsTest {
    record Vector(String name, JsonNode json) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Vector> vectors() throws IOException {
        JsonNode root = new ObjectMapper().readTree(Path.of("contracts/test/vectors/vouchers.json").toFile());
        List<Vector> vectors = new ArrayList<>();
        root.path("vectors").forEach(v -> vectors.add(new Vector(v.path("name").asText(), v)));
        assertThat(vectors).isNotEmpty();
        return vectors.stream();
    }

    private static VoucherDomain domain(JsonNode v) {
        return new VoucherDomain(v.path("chainId").asLong(), v.path("verifyingContract").asText());
    }

    private static BigInteger channelId(JsonNode v) {
        return new BigInteger(v.path("channelId").asText());
    }

    private static BigInteger amount(JsonNode v) {
        return new BigInteger(v.path("cumulativeAmount").asText());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    @DisplayName("domain separator and digest match the vector")
    void digestMatches(Vector vector) {
        JsonNode v = vector.json();
        assertThat(Numeric.toHexString(domain(v).separator())).isEqualTo(v.path("domainSeparator").asText());
        assertThat(Numeric.toHexString(domain(v).digest(channelId(v), amount(v)))).isEqualTo(v.path("digest").asText());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    @DisplayName("signing with the vector's key gives its signature byte for byte")
    void signatureMatches(Vector vector) {
        JsonNode v = vector.json();
        Voucher voucher = Vouchers.sign(domain(v), channelId(v), amount(v), Credentials.create(v.path("signerPrivateKey").asText()));
        assertThat(voucher.signatureHex()).isEqualTo(v.path("signature").asText());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    @DisplayName("the vector's signature recovers its signer")
    void recoversSigner(Vector vector) {
        JsonNode v = vector.json();
        Voucher voucher = new Voucher(channelId(v), amount(v), Numeric.hexStringToByteArray(v.path("signature").asText()));
        assertThat(Vouchers.recoverSigner(domain(v), voucher)).isEqualTo(v.path("signer").asText());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    @DisplayName("the same signature on another chain recovers someone else")
    void otherChainRecoversSomeoneElse(Vector vector) {
        JsonNode v = vector.json();
        Voucher voucher = new Voucher(channelId(v), amount(v), Numeric.hexStringToByteArray(v.path("signature").asText()));
        VoucherDomain otherChain = new VoucherDomain(v.path("chainId").asLong() + 1, v.path("verifyingContract").asText());
        assertThat(Vouchers.recoverSigner(otherChain, voucher)).isNotEqualTo(v.path("signer").asText());
    }
}
