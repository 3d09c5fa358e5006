package io.gridshare.node.model.gguf;

import java.util.Map;

/** Names of ggml type ids this node does not support, so an error can say what a file holds. */
final class GgmlTypeNames {

    private static final Map<Long, String> UNSUPPORTED = Map.ofEntries(
            Map.entry(3L, "Q4_1"), Map.entry(6L, "Q5_0"), Map.entry(7L, "Q5_1"), Map.entry(9L, "Q8_1"),
            Map.entry(10L, "Q2_K"), Map.entry(11L, "Q3_K"), Map.entry(15L, "Q8_K"), Map.entry(16L, "IQ2_XXS"),
            Map.entry(17L, "IQ2_XS"), Map.entry(18L, "IQ3_XXS"), Map.entry(19L, "IQ1_S"), Map.entry(20L, "IQ4_NL"),
            Map.entry(21L, "IQ3_S"), Map.entry(22L, "IQ2_S"), Map.entry(23L, "IQ4_XS"), Map.entry(24L, "I8"),
            Map.entry(25L, "I16"), Map.entry(26L, "I32"), Map.entry(27L, "I64"), Map.entry(28L, "F64"),
            Map.entry(29L, "IQ1_M"), Map.entry(34L, "TQ1_0"), Map.entry(35L, "TQ2_0"));

    private GgmlTypeNames() {}

    /** " (NAME)" for a known ggml id, else "". */
    static String describe(long id) {
        String name = UNSUPPORTED.get(id);
        return name == null ? "" : " (" + name + ")";
    }
}
