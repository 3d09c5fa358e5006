package io.gridshare.cli;

import io.gridshare.client.Amounts;
import io.gridshare.client.OfferedModel;
import io.gridshare.client.TenantClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List the models the gateway cluster serves now: architecture, size, quantization, context, chat support, free slots and prices.",
        footer = {"", "Example:", "  gridshare models --gateway 127.0.0.1:9090"})
final class ModelsCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--deadline", paramLabel = "SECONDS", defaultValue = "10", description = "Give up after this long (default: ${DEFAULT-VALUE}).")
    long deadlineSeconds;

    @Override
    public Integer call() {
        List<OfferedModel> models;
        try (TenantClient client = TenantClient.builder().target(common.gatewayTarget()).tls(common.tls)
                .deadline(Duration.ofSeconds(deadlineSeconds)).build()) {
            models = client.listModels();
        }
        if (common.json) {
            common.printJson(models.stream().map(m -> {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("name", m.name());
                o.put("modelHash", m.modelHash());
                o.put("freeSlots", m.freeSlots());
                o.put("totalSlots", m.totalSlots());
                o.put("nodes", m.nodes());
                o.put("minPricePerToken", m.minPricePerToken().toString());
                o.put("contextLength", m.contextLength());
                o.put("architecture", m.architecture());
                o.put("parameters", m.parameters());
                o.put("quantization", m.quantization());
                o.put("chat", m.chat());
                return o;
            }).toList());
            return 0;
        }
        PrintWriter out = common.out();
        if (models.isEmpty()) {
            out.println("No models served right now: no node is connected to the gateway cluster.");
        } else {
            // quantization summaries vary in length ("F32" .. "Q4_K ×96, Q6_K ×17"): size that column to fit
            int quantWidth = Math.max("QUANT".length(), models.stream().mapToInt(m -> orDash(m.quantization()).length())
                    .max().orElse(0));
            String row = "%-20s %-8s %-7s %-" + quantWidth + "s %-8s %-5s %-8s %-6s %-22s %s%n";
            out.printf(row, "MODEL", "ARCH", "PARAMS", "QUANT", "CONTEXT", "CHAT", "SLOTS", "NODES",
                    "PRICE/TOKEN (GRID)", "HASH");
            for (OfferedModel m : models) {
                out.printf(row, m.name(), orDash(m.architecture()), m.parameters() == 0 ? "-" : humanCount(m.parameters()),
                        orDash(m.quantization()), m.contextLength(), m.chat() ? "yes" : "no",
                        m.freeSlots() + "/" + m.totalSlots(), m.nodes(), Amounts.format(m.minPricePerToken()),
                        m.modelHash());
            }
        }
        out.flush();
        return 0;
    }

    /** A count the way model sizes are spoken of: 999, 260K, 1.2B, 70B. */
    static String humanCount(long n) {
        String[] units = {"K", "M", "B", "T"};
        double v = n;
        int unit = -1;
        // 999_600 reads as 1.0M, not 1000K: move up a unit whenever rounding would reach 1000
        while (unit + 1 < units.length && v >= 999.5) {
            v /= 1000;
            unit++;
        }
        if (unit < 0) {
            return Long.toString(n);
        }
        return v < 9.95 ? String.format(Locale.ROOT, "%.1f%s", v, units[unit])
                : String.format(Locale.ROOT, "%d%s", Math.round(v), units[unit]);
    }

    // nodes older than the model details report empty fields
    private static String orDash(String s) {
        return s.isEmpty() ? "-" : s;
    }
}
