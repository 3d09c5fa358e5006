package io.gridshare.node.health;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gridshare.node.engine.InferenceEngine;
import io.gridshare.node.link.GatewayLink;
import io.gridshare.node.link.LinkState;
import io.gridshare.node.link.NodeAgent;
import io.gridshare.node.link.NodeContext;
import io.gridshare.node.link.NodeMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The node's small HTTP endpoint for probes and scraping:
 * <ul>
 *   <li>{@code GET /health}: liveness, always 200 while the process runs, with a JSON body saying
 *       how each gateway link stands (a node waiting for its gateways is alive, not broken);</li>
 *   <li>{@code GET /ready}: 200 when at least one gateway has welcomed the node, else 503;</li>
 *   <li>{@code GET /metrics}: Prometheus text format.</li>
 * </ul>
 */
public final class HealthServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor;
    private final NodeAgent agent;

    private HealthServer(HttpServer server, ExecutorService executor, NodeAgent agent) {
        this.server = server;
        this.executor = executor;
        this.agent = agent;
    }

    /**
     * Serves on {@code bindAddress:port} (port 0: any free port).
     *
     * @throws IOException when the port cannot be bound (the message names it)
     */
    public static HealthServer start(NodeAgent agent, String bindAddress, int port) throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(bindAddress, port), 16);
        } catch (IOException e) {
            throw new IOException("cannot serve /health on " + bindAddress + ":" + port + " (" + e.getMessage()
                    + "); free the port or set GRIDSHARE_NODE_HEALTH_PORT", e);
        }
        ExecutorService executor = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().daemon().name("gridshare-node-health").factory());
        HealthServer health = new HealthServer(server, executor, agent);
        server.createContext("/health", ex -> health.respond(ex, 200, "application/json", health.healthJson()));
        server.createContext("/ready", ex -> health.respond(ex, agent.linked() ? 200 : 503, "application/json",
                health.healthJson()));
        server.createContext("/metrics", ex -> health.respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                health.prometheus()));
        server.setExecutor(executor);
        server.start();
        return health;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().add("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            // exact paths only: /healthz or /health/x are not endpoints
            String path = exchange.getRequestURI().getPath();
            if (!path.equals(exchange.getHttpContext().getPath())) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", contentType);
            if ("HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    String healthJson() {
        NodeContext node = agent.node();
        StringBuilder s = new StringBuilder(256);
        s.append("{\"status\":\"UP\",\"linked\":").append(agent.linked())
                .append(",\"node_key\":").append(quote(node.key().address()))
                .append(",\"version\":").append(quote(node.version()))
                .append(",\"backend\":").append(quote(node.backend()))
                .append(",\"slots\":{\"total\":").append(node.slots().total())
                .append(",\"free\":").append(node.freeSlots()).append("}")
                .append(",\"models\":[");
        boolean first = true;
        for (InferenceEngine e : node.engines().values()) {
            s.append(first ? "" : ",").append("{\"name\":").append(quote(e.model().name()))
                    .append(",\"model_hash\":").append(quote(e.model().modelHash())).append("}");
            first = false;
        }
        s.append("],\"links\":[");
        first = true;
        for (GatewayLink link : agent.links()) {
            s.append(first ? "" : ",").append("{\"gateway\":").append(quote(link.address().toString()))
                    .append(",\"gateway_id\":").append(quote(link.gatewayId()))
                    .append(",\"state\":").append(quote(link.state().name()))
                    .append(",\"active_jobs\":").append(link.activeJobs());
            if (link.lastRejection() != null) {
                s.append(",\"rejected\":").append(quote(link.lastRejection().reason().name() + ": "
                        + link.lastRejection().message()));
            }
            if (link.lastError() != null) {
                s.append(",\"last_error\":").append(quote(link.lastError()));
            }
            s.append("}");
            first = false;
        }
        return s.append("]}").toString();
    }

    String prometheus() {
        NodeContext node = agent.node();
        NodeMetrics m = node.metrics();
        StringBuilder s = new StringBuilder(1024);
        help(s, "gridshare_node_jobs_started_total", "counter", "Jobs the node accepted from gateways.");
        s.append("gridshare_node_jobs_started_total ").append(m.jobsStarted()).append('\n');
        help(s, "gridshare_node_jobs_total", "counter", "Jobs ended, by result (refused: never started).");
        for (NodeMetrics.JobResult r : NodeMetrics.JobResult.values()) {
            s.append("gridshare_node_jobs_total{result=\"").append(r.name().toLowerCase(Locale.ROOT)).append("\"} ")
                    .append(m.jobs(r)).append('\n');
        }
        help(s, "gridshare_node_jobs_active", "gauge", "Jobs running now.");
        s.append("gridshare_node_jobs_active ").append(node.slots().used()).append('\n');
        help(s, "gridshare_node_tokens_total", "counter", "Tokens generated and passed to a link.");
        s.append("gridshare_node_tokens_total ").append(m.tokens()).append('\n');
        help(s, "gridshare_node_tokens_per_second", "gauge", "Generated tokens per second, recent average.");
        s.append("gridshare_node_tokens_per_second ").append(m.recentTokensPerSecond()).append('\n');
        help(s, "gridshare_node_slots", "gauge", "Slots of the node.");
        s.append("gridshare_node_slots ").append(node.slots().total()).append('\n');
        help(s, "gridshare_node_slots_free", "gauge",
                "Slots free now, as advertised: free link slots, capped by the whole-context jobs the KV caches still hold.");
        s.append("gridshare_node_slots_free ").append(node.freeSlots()).append('\n');
        EngineMetrics.write(node.engines().values(), s);
        help(s, "gridshare_node_vouchers_received_total", "counter", "Vouchers gateways sent to this node.");
        s.append("gridshare_node_vouchers_received_total ").append(m.vouchers()).append('\n');
        if (node.payments() instanceof io.gridshare.node.payment.NodePayments p) {
            io.gridshare.node.payment.NodePaymentMetrics.write(p, s);
        }
        help(s, "gridshare_node_link_up", "gauge", "1 when the gateway has welcomed the node.");
        for (GatewayLink link : agent.links()) {
            s.append("gridshare_node_link_up{gateway=\"").append(label(link.address().toString())).append("\"} ")
                    .append(link.state() == LinkState.LINKED ? 1 : 0).append('\n');
        }
        help(s, "gridshare_node_link_state", "gauge", "The state of each gateway link (1 for the current state).");
        for (GatewayLink link : agent.links()) {
            for (LinkState state : LinkState.values()) {
                s.append("gridshare_node_link_state{gateway=\"").append(label(link.address().toString()))
                        .append("\",state=\"").append(state.name().toLowerCase(Locale.ROOT)).append("\"} ")
                        .append(link.state() == state ? 1 : 0).append('\n');
            }
        }
        help(s, "gridshare_node_link_connects_total", "counter", "Handshakes a gateway completed.");
        for (Map.Entry<String, Long> e : m.connects().entrySet()) {
            s.append("gridshare_node_link_connects_total{gateway=\"").append(label(e.getKey())).append("\"} ")
                    .append(e.getValue()).append('\n');
        }
        help(s, "gridshare_node_link_rejections_total", "counter", "Rejections by gateway and reason.");
        for (Map.Entry<String, Long> e : m.rejections().entrySet()) {
            String[] parts = e.getKey().split("\u0000", 2);
            s.append("gridshare_node_link_rejections_total{gateway=\"").append(label(parts[0]))
                    .append("\",reason=\"").append(label(parts[1])).append("\"} ").append(e.getValue()).append('\n');
        }
        return s.toString();
    }

    private static void help(StringBuilder s, String name, String type, String help) {
        s.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static String label(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    static String quote(String v) {
        StringBuilder s = new StringBuilder(v.length() + 2).append('"');
        for (char c : v.toCharArray()) {
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                default -> {
                    if (c < 0x20) {
                        s.append(String.format("\\u%04x", (int) c));
                    } else {
                        s.append(c);
                    }
                }
            }
        }
        return s.append('"').toString();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
