package io.gridshare.chain.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import io.gridshare.chain.ContractRevertedException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Type;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * Decodes revert data into the custom error it encodes, from the {@code error} entries of the
 * contracts' ABIs (matched by 4-byte selector), plus Solidity's built-in {@code Error(string)} and
 * {@code Panic(uint256)}.
 */
public final class ContractErrors {

    /** A decoded revert: the error's name and arguments (both null/empty when nothing matched). */
    public record Decoded(String name, List<ContractRevertedException.Argument> arguments) {
    }

    private record ErrorDef(String name, List<String> names, List<String> types) {
    }

    private final Map<String, ErrorDef> bySelector = new HashMap<>();

    public ContractErrors(List<JsonNode> abis) {
        register("Error", List.of("message"), List.of("string"));
        register("Panic", List.of("code"), List.of("uint256"));
        for (JsonNode abi : abis) {
            for (JsonNode entry : abi) {
                if (!"error".equals(entry.path("type").asText())) {
                    continue;
                }
                List<String> names = new ArrayList<>();
                List<String> types = new ArrayList<>();
                for (JsonNode input : entry.path("inputs")) {
                    names.add(input.path("name").asText());
                    types.add(canonicalType(input));
                }
                register(entry.path("name").asText(), names, types);
            }
        }
    }

    /** The errors of the three Gridshare contracts, read from the artifacts packed into the jar. */
    public static ContractErrors gridshare() {
        return new ContractErrors(List.of(
                ContractArtifact.fromClasspath(ContractArtifact.GRID_TOKEN).abi(),
                ContractArtifact.fromClasspath(ContractArtifact.NODE_REGISTRY).abi(),
                ContractArtifact.fromClasspath(ContractArtifact.PAYMENT_CHANNELS).abi()));
    }

    private void register(String name, List<String> names, List<String> types) {
        String signature = name + "(" + String.join(",", types) + ")";
        String selector = Hash.sha3String(signature).substring(2, 10);
        bySelector.putIfAbsent(selector, new ErrorDef(name, names, types));
    }

    private static String canonicalType(JsonNode input) {
        String type = input.path("type").asText();
        if (type.startsWith("tuple")) {
            List<String> parts = new ArrayList<>();
            for (JsonNode component : input.path("components")) {
                parts.add(canonicalType(component));
            }
            return "(" + String.join(",", parts) + ")" + type.substring("tuple".length());
        }
        return type;
    }

    /** Whether the selector of this revert data is known. */
    public boolean knows(String revertData) {
        return revertData != null && revertData.length() >= 10 && bySelector.containsKey(selectorOf(revertData));
    }

    /** Decodes the revert data; an unknown selector or undecodable payload yields a null name. */
    public Decoded decode(String revertData) {
        if (revertData == null || revertData.length() < 10) {
            return new Decoded(null, List.of());
        }
        ErrorDef def = bySelector.get(selectorOf(revertData));
        if (def == null) {
            return new Decoded(null, List.of());
        }
        try {
            @SuppressWarnings({"rawtypes", "unchecked"})
            List<TypeReference<Type>> refs = new ArrayList<>();
            for (String type : def.types()) {
                @SuppressWarnings("unchecked")
                TypeReference<Type> ref = (TypeReference<Type>) TypeReference.makeTypeReference(type);
                refs.add(ref);
            }
            List<Type> values = FunctionReturnDecoder.decode("0x" + Numeric.cleanHexPrefix(revertData).substring(8), refs);
            List<ContractRevertedException.Argument> args = new ArrayList<>();
            for (int i = 0; i < def.types().size(); i++) {
                Object value = i < values.size() ? plain(values.get(i).getValue()) : null;
                args.add(new ContractRevertedException.Argument(def.names().get(i), def.types().get(i), value));
            }
            return new Decoded(def.name(), args);
        } catch (ClassNotFoundException | RuntimeException e) {
            // a selector clash or malformed payload: still name the error, leave arguments out
            return new Decoded(def.name(), List.of());
        }
    }

    private static Object plain(Object value) {
        if (value instanceof byte[] bytes) {
            return Numeric.toHexString(bytes);
        }
        if (value instanceof List<?> list) {
            return list.stream().map(v -> v instanceof Type<?> t ? plain(t.getValue()) : plain(v)).toList();
        }
        return value;
    }

    private static String selectorOf(String revertData) {
        return Numeric.cleanHexPrefix(revertData).substring(0, 8).toLowerCase(java.util.Locale.ROOT);
    }
}
