package io.gridshare.node.link;

import java.util.Objects;

/**
 * Where a gateway's gRPC port listens.
 *
 * @param host a host name or IP address (IPv6 in brackets when parsed, without them here)
 * @param port 1..65535
 */
public record GatewayAddress(String host, int port) {

    public GatewayAddress {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("gateway host is empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("gateway port must be 1..65535, got " + port);
        }
    }

    /**
     * Parses {@code host:port} (or {@code [ipv6]:port}).
     *
     * @throws IllegalArgumentException naming the text and what is wrong with it
     */
    public static GatewayAddress parse(String text) {
        String t = text.strip();
        int colon = t.lastIndexOf(':');
        if (colon <= 0 || colon == t.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not host:port (for example gateway.example.org:9090)");
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("'" + text + "': write an IPv6 address in brackets, e.g. [::1]:9090");
        }
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "': port '" + t.substring(colon + 1) + "' is not a number");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("'" + text + "': port must be 1..65535");
        }
        return new GatewayAddress(host, port);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
