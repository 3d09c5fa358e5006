package io.gridshare.cli;

import io.gridshare.client.Amounts;
import io.gridshare.client.OfferedModel;
import io.gridshare.client.TenantClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List the models the gateway cluster serves now, with free slots and prices.",
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
                return o;
            }).toList());
            return 0;
        }
        PrintWriter out = common.out();
        if (models.isEmpty()) {
            out.println("No models served right now: no node is connected to the gateway cluster.");
        } else {
            out.printf("%-20s %-8s %-6s %-8s %-22s %s%n", "MODEL", "SLOTS", "NODES", "CONTEXT", "PRICE/TOKEN (GRID)", "HASH");
            for (OfferedModel m : models) {
                out.printf("%-20s %-8s %-6d %-8d %-22s %s%n", m.name(), m.freeSlots() + "/" + m.totalSlots(), m.nodes(),
                        m.contextLength(), Amounts.format(m.minPricePerToken()), m.modelHash());
            }
        }
        out.flush();
        return 0;
    }
}
