package io.gridshare.chain.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridshare.chain.ChainException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One compiled contract: its ABI and creation bytecode. The build packs the forge artifacts of
 * GridToken, NodeRegistry and PaymentChannels into the jar (resources under
 * {@code io/gridshare/chain/artifacts/}), so any module can deploy them without the forge output.
 *
 * @param name contract name, e.g. {@code PaymentChannels}
 * @param abi the ABI array
 * @param bytecode creation bytecode, 0x-prefixed hex
 */
public record ContractArtifact(String name, JsonNode abi, String bytecode) {
    public static final String GRID_TOKEN = "GridToken";
    public static final String NODE_REGISTRY = "NodeRegistry";
    public static final String PAYMENT_CHANNELS = "PaymentChannels";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String RESOURCE_DIR = "io/gridshare/chain/artifacts/";

    /** Loads a contract packed into the jar by the build. */
    public static ContractArtifact fromClasspath(String name) {
        String resource = RESOURCE_DIR + name + ".json";
        try (InputStream in = ContractArtifact.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new ChainException("Contract artifact " + resource + " is not on the classpath: build "
                        + "chain-adapter (./mvnw -pl chain-adapter package) so that forge compiles the contracts");
            }
            return parse(name, MAPPER.readTree(in));
        } catch (IOException e) {
            throw new ChainException("Cannot read contract artifact " + resource + ": " + e.getMessage(), e);
        }
    }

    /** Loads a contract from a forge output directory ({@code <out>/<Name>.sol/<Name>.json}). */
    public static ContractArtifact fromForgeOutput(Path outDir, String name) {
        Path file = outDir.resolve(name + ".sol").resolve(name + ".json");
        try {
            return parse(name, MAPPER.readTree(Files.readString(file)));
        } catch (IOException e) {
            throw new ChainException("Cannot read forge artifact " + file + " (run chain-adapter/scripts/forge-build.sh): "
                    + e.getMessage(), e);
        }
    }

    private static ContractArtifact parse(String name, JsonNode root) {
        JsonNode abi = root.get("abi");
        JsonNode bytecodeNode = root.get("bytecode");
        String bytecode = bytecodeNode == null ? null
                : bytecodeNode.isTextual() ? bytecodeNode.asText() : bytecodeNode.path("object").asText(null);
        if (abi == null || !abi.isArray() || bytecode == null) {
            throw new ChainException("Contract artifact for " + name + " lacks an abi array or bytecode");
        }
        if (!bytecode.startsWith("0x")) {
            bytecode = "0x" + bytecode;
        }
        return new ContractArtifact(name, abi, bytecode);
    }
}
