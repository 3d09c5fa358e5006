package io.gridshare.node.config;

import io.gridshare.node.engine.EngineConfig;
import io.gridshare.node.link.GatewayAddress;
import io.gridshare.node.link.LinkSettings;
import io.gridshare.node.link.NodeKey;
import io.gridshare.node.payment.NodePaymentSettings;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Function;
import org.web3j.crypto.exception.CipherException;
import org.web3j.crypto.WalletUtils;

/**
 * Everything a node process needs, read from system properties, environment variables and an
 * optional properties file, in that order of precedence. Each setting has one name: the
 * environment variable {@code GRIDSHARE_NODE_X}; the system property is the same name in lower
 * case with dots ({@code gridshare.node.x}); the properties file may use either.
 *
 * @param gateways {@code GRIDSHARE_NODE_GATEWAYS}: {@code host:port,...}, required
 * @param keystore {@code GRIDSHARE_NODE_KEYSTORE}: a web3j/Ethereum JSON keystore holding the node key, required
 * @param keystorePassword from {@code GRIDSHARE_NODE_KEYSTORE_PASSWORD_FILE} (preferred) or
 *     {@code GRIDSHARE_NODE_KEYSTORE_PASSWORD}
 * @param modelsDir {@code GRIDSHARE_NODE_MODELS_DIR}: where models live ({@code *.gguf} files, and llama2.c
 *     checkpoints in a folder each); default {@code models}
 * @param models {@code GRIDSHARE_NODE_MODELS}: names of the models to load, comma-separated (a GGUF file's name
 *     without {@code .gguf} or its {@code general.name}, a llama2.c folder's name); empty or unset serves every
 *     model found in {@code modelsDir}
 * @param pricePerToken {@code GRIDSHARE_NODE_PRICE_PER_TOKEN}: base units of the payment token per generated token, required
 * @param slots {@code GRIDSHARE_NODE_SLOTS}: jobs the node runs at once, over all models and gateways; default 4
 * @param backend {@code GRIDSHARE_NODE_BACKEND}: auto, cuda or cpu; default auto
 * @param healthPort {@code GRIDSHARE_NODE_HEALTH_PORT}: /health and /metrics; default 8081, 0 for any free port
 * @param link {@code GRIDSHARE_NODE_TLS} (true/false, default false), {@code GRIDSHARE_NODE_TLS_TRUST_CERTS}
 *     (PEM file), {@code GRIDSHARE_NODE_KEEPALIVE_SECONDS} (default 30)
 * @param payment {@code GRIDSHARE_NODE_CHAIN_RPC_URL}, {@code GRIDSHARE_NODE_PAYMENT_CHANNELS},
 *     {@code GRIDSHARE_NODE_SETTLEMENT_DIR}, {@code GRIDSHARE_NODE_SETTLE_INTERVAL_SECONDS},
 *     {@code GRIDSHARE_NODE_MIN_REDEEMABLE} (see {@link NodePaymentSettings})
 */
public record NodeConfig(List<GatewayAddress> gateways, Path keystore, String keystorePassword, Path modelsDir,
                         List<String> models, BigInteger pricePerToken, int slots, EngineConfig.Backend backend,
                         int healthPort, LinkSettings link, NodePaymentSettings payment) {

    public static final String GATEWAYS = "GRIDSHARE_NODE_GATEWAYS";
    public static final String KEYSTORE = "GRIDSHARE_NODE_KEYSTORE";
    public static final String KEYSTORE_PASSWORD_FILE = "GRIDSHARE_NODE_KEYSTORE_PASSWORD_FILE";
    public static final String KEYSTORE_PASSWORD = "GRIDSHARE_NODE_KEYSTORE_PASSWORD";
    public static final String MODELS_DIR = "GRIDSHARE_NODE_MODELS_DIR";
    public static final String MODELS = "GRIDSHARE_NODE_MODELS";
    public static final String PRICE_PER_TOKEN = "GRIDSHARE_NODE_PRICE_PER_TOKEN";
    public static final String SLOTS = "GRIDSHARE_NODE_SLOTS";
    public static final String BACKEND = "GRIDSHARE_NODE_BACKEND";
    public static final String HEALTH_PORT = "GRIDSHARE_NODE_HEALTH_PORT";
    public static final String TLS = "GRIDSHARE_NODE_TLS";
    public static final String TLS_TRUST_CERTS = "GRIDSHARE_NODE_TLS_TRUST_CERTS";
    public static final String KEEPALIVE_SECONDS = "GRIDSHARE_NODE_KEEPALIVE_SECONDS";
    /** A properties file with any of the settings above. */
    public static final String CONFIG_FILE = "GRIDSHARE_NODE_CONFIG_FILE";

    private static final int MAX_SLOTS = 1024;

    public NodeConfig {
        gateways = List.copyOf(gateways);
        models = List.copyOf(models);
        Objects.requireNonNull(keystore, "keystore");
        Objects.requireNonNull(modelsDir, "modelsDir");
        Objects.requireNonNull(pricePerToken, "pricePerToken");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(link, "link");
        Objects.requireNonNull(payment, "payment");
    }

    /** Reads the configuration of this process (system properties, environment, config file). */
    public static NodeConfig fromEnvironment() {
        Properties sys = System.getProperties();
        Map<String, String> env = System.getenv();
        return load(name -> {
            String v = sys.getProperty(propertyName(name));
            return v != null ? v : env.get(name);
        });
    }

    /**
     * Reads the configuration from {@code lookup} (by environment-variable name), falling back to
     * the properties file it names under {@value #CONFIG_FILE}.
     *
     * @throws NodeConfigException listing every missing or invalid setting
     */
    public static NodeConfig load(Function<String, String> lookup) {
        List<String> problems = new ArrayList<>();
        Function<String, String> source = withFile(lookup, problems);
        Reader r = new Reader(source, problems);

        List<GatewayAddress> gateways = r.gateways();
        Path keystore = r.path(KEYSTORE, null, "the node key's JSON keystore, e.g. /etc/gridshare/node-key.json");
        String password = r.password();
        Path modelsDir = r.path(MODELS_DIR, "models", null);
        List<String> models = r.optionalList(MODELS);
        BigInteger price = r.price();
        int slots = r.integer(SLOTS, 4, 1, MAX_SLOTS);
        EngineConfig.Backend backend = r.backend();
        int healthPort = r.integer(HEALTH_PORT, 8081, 0, 65535);
        boolean tls = r.bool(TLS, false);
        Path trust = r.path(TLS_TRUST_CERTS, "", null);
        if (trust != null && trust.toString().isEmpty()) {
            trust = null;
        }
        if (trust != null && !Files.isReadable(trust)) {
            problems.add(TLS_TRUST_CERTS + ": cannot read " + trust + "; give a PEM file of CA certificates");
        }
        int keepAlive = r.integer(KEEPALIVE_SECONDS, 30, 10, 86_400);
        NodePaymentSettings payment = r.payment();

        if (!problems.isEmpty()) {
            throw new NodeConfigException(problems);
        }
        LinkSettings link = LinkSettings.defaults().withTls(tls, trust)
                .withKeepAlive(Duration.ofSeconds(keepAlive), LinkSettings.defaults().keepAliveTimeout());
        return new NodeConfig(gateways, keystore, password, modelsDir, models, price, slots, backend, healthPort, link,
                payment);
    }

    /** {@code GRIDSHARE_NODE_HEALTH_PORT} → {@code gridshare.node.health.port}. */
    public static String propertyName(String envName) {
        return envName.toLowerCase(Locale.ROOT).replace('_', '.');
    }

    private static Function<String, String> withFile(Function<String, String> lookup, List<String> problems) {
        String file = lookup.apply(CONFIG_FILE);
        if (file == null || file.isBlank()) {
            return lookup;
        }
        Properties props = new Properties();
        try (var in = Files.newBufferedReader(Path.of(file.strip()), StandardCharsets.UTF_8)) {
            props.load(in);
        } catch (IOException | RuntimeException e) {
            problems.add(CONFIG_FILE + ": cannot read " + file + " (" + e.getMessage() + ")");
            return lookup;
        }
        Map<String, String> fromFile = new HashMap<>();
        for (String key : props.stringPropertyNames()) {
            fromFile.put(key.toUpperCase(Locale.ROOT).replace('.', '_'), props.getProperty(key));
        }
        return name -> {
            String v = lookup.apply(name);
            return v != null ? v : fromFile.get(name);
        };
    }

    /**
     * Decrypts the node key from the keystore.
     *
     * @throws NodeConfigException when the file is missing or unreadable, or the password is wrong
     */
    public NodeKey loadKey() {
        return new NodeKey(loadCredentials());
    }

    /** The node key's credentials (they also sign the node's redeem transactions). */
    public org.web3j.crypto.Credentials loadCredentials() {
        if (!Files.isRegularFile(keystore)) {
            throw new NodeConfigException(List.of(KEYSTORE + ": no file at " + keystore.toAbsolutePath()
                    + "; create a key with any Ethereum wallet tool (a web3j/geth JSON keystore) and point "
                    + KEYSTORE + " at it"));
        }
        try {
            return WalletUtils.loadCredentials(keystorePassword, keystore.toFile());
        } catch (CipherException e) {
            throw new NodeConfigException(KEYSTORE + ": cannot decrypt " + keystore + " (" + e.getMessage()
                    + "); check " + KEYSTORE_PASSWORD_FILE + " or " + KEYSTORE_PASSWORD, e);
        } catch (IOException | RuntimeException e) {
            throw new NodeConfigException(KEYSTORE + ": " + keystore + " is not a readable JSON keystore ("
                    + e.getMessage() + ")", e);
        }
    }

    @Override
    public String toString() {
        return "NodeConfig[gateways=" + gateways + ", keystore=" + keystore + ", keystorePassword=***, modelsDir="
                + modelsDir + ", models=" + models + ", pricePerToken=" + pricePerToken + ", slots=" + slots
                + ", backend=" + backend.name().toLowerCase(Locale.ROOT) + ", healthPort=" + healthPort + ", tls="
                + link.tls() + ", payment=" + (payment.enabled() ? payment.paymentChannels().get() + " via "
                + payment.rpcUrl().get() + ", settlement in " + payment.settlementDir() : "off") + "]";
    }

    /** Reads and checks single settings, collecting problems instead of stopping at the first. */
    private record Reader(Function<String, String> source, List<String> problems) {

        String get(String name) {
            String v = source.apply(name);
            return v == null || v.isBlank() ? null : v.strip();
        }

        List<GatewayAddress> gateways() {
            String v = get(GATEWAYS);
            if (v == null) {
                problems.add(GATEWAYS + " is not set; give the gateways to dial as host:port,host:port"
                        + " (e.g. gateway.example.org:9090)");
                return List.of();
            }
            List<GatewayAddress> out = new ArrayList<>();
            for (String part : v.split(",")) {
                if (part.isBlank()) {
                    continue;
                }
                try {
                    GatewayAddress a = GatewayAddress.parse(part);
                    if (out.contains(a)) {
                        problems.add(GATEWAYS + ": " + a + " is listed twice");
                    }
                    out.add(a);
                } catch (IllegalArgumentException e) {
                    problems.add(GATEWAYS + ": " + e.getMessage());
                }
            }
            if (out.isEmpty() && problems.stream().noneMatch(p -> p.startsWith(GATEWAYS))) {
                problems.add(GATEWAYS + " lists no gateway; give host:port,host:port");
            }
            return out;
        }

        Path path(String name, String fallback, String whatIfMissing) {
            String v = get(name);
            if (v == null) {
                if (fallback == null) {
                    problems.add(name + " is not set; give " + whatIfMissing);
                    return null;
                }
                return Path.of(fallback);
            }
            try {
                return Path.of(v);
            } catch (RuntimeException e) {
                problems.add(name + ": '" + v + "' is not a valid path (" + e.getMessage() + ")");
                return null;
            }
        }

        String password() {
            String file = get(KEYSTORE_PASSWORD_FILE);
            if (file != null) {
                try {
                    String p = Files.readString(Path.of(file), StandardCharsets.UTF_8);
                    // editors and `echo` add a trailing newline that is not part of the password
                    return p.endsWith("\r\n") ? p.substring(0, p.length() - 2)
                            : p.endsWith("\n") ? p.substring(0, p.length() - 1) : p;
                } catch (IOException | RuntimeException e) {
                    problems.add(KEYSTORE_PASSWORD_FILE + ": cannot read " + file + " (" + e + ")");
                    return null;
                }
            }
            String p = source.apply(KEYSTORE_PASSWORD);
            if (p == null) {
                problems.add("neither " + KEYSTORE_PASSWORD_FILE + " nor " + KEYSTORE_PASSWORD
                        + " is set; give the keystore's password (a file is safer than a variable)");
            }
            return p;
        }

        List<String> optionalList(String name) {
            String v = get(name);
            List<String> out = new ArrayList<>();
            if (v != null) {
                for (String part : v.split(",")) {
                    if (!part.isBlank() && !out.contains(part.strip())) {
                        out.add(part.strip());
                    }
                }
            }
            return out;
        }

        List<String> list(String name, String what) {
            String v = get(name);
            List<String> out = new ArrayList<>();
            if (v != null) {
                for (String part : v.split(",")) {
                    if (!part.isBlank() && !out.contains(part.strip())) {
                        out.add(part.strip());
                    }
                }
            }
            if (out.isEmpty()) {
                problems.add(name + " is not set; give " + what);
            }
            return out;
        }

        BigInteger price() {
            String v = get(PRICE_PER_TOKEN);
            if (v == null) {
                problems.add(PRICE_PER_TOKEN + " is not set; give the price per generated token in base units of"
                        + " the payment token (an integer, e.g. 1000)");
                return BigInteger.ZERO;
            }
            if (!v.matches("[0-9]+")) {
                problems.add(PRICE_PER_TOKEN + ": '" + v + "' is not a whole number of base units (digits only,"
                        + " no sign, decimal point or exponent)");
                return BigInteger.ZERO;
            }
            BigInteger price = new BigInteger(v);
            if (price.bitLength() > 256) {
                problems.add(PRICE_PER_TOKEN + ": '" + v + "' does not fit in uint256");
            }
            return price;
        }

        int integer(String name, int fallback, int min, int max) {
            String v = get(name);
            if (v == null) {
                return fallback;
            }
            try {
                int n = Integer.parseInt(v);
                if (n < min || n > max) {
                    problems.add(name + ": " + n + " is out of range; give " + min + ".." + max);
                }
                return n;
            } catch (NumberFormatException e) {
                problems.add(name + ": '" + v + "' is not a whole number; give " + min + ".." + max);
                return fallback;
            }
        }

        boolean bool(String name, boolean fallback) {
            String v = get(name);
            if (v == null) {
                return fallback;
            }
            return switch (v.toLowerCase(Locale.ROOT)) {
                case "true", "yes", "1" -> true;
                case "false", "no", "0" -> false;
                default -> {
                    problems.add(name + ": '" + v + "' is not true or false");
                    yield fallback;
                }
            };
        }

        NodePaymentSettings payment() {
            NodePaymentSettings d = NodePaymentSettings.disabled();
            String rpc = get(NodePaymentSettings.RPC_URL);
            String contract = get(NodePaymentSettings.PAYMENT_CHANNELS);
            if (contract != null && !contract.matches("0x[0-9a-fA-F]{40}")) {
                problems.add(NodePaymentSettings.PAYMENT_CHANNELS + ": '" + contract
                        + "' is not a 0x-prefixed 20-byte address");
            }
            if ((rpc == null) != (contract == null)) {
                problems.add("set both " + NodePaymentSettings.RPC_URL + " and " + NodePaymentSettings.PAYMENT_CHANNELS
                        + " to be paid (or neither to keep no vouchers)");
            }
            Path dir = path(NodePaymentSettings.SETTLEMENT_DIR, d.settlementDir().toString(), null);
            int every = integer(NodePaymentSettings.SETTLE_INTERVAL_SECONDS, (int) d.settleInterval().toSeconds(), 1,
                    30 * 86_400);
            String min = get(NodePaymentSettings.MIN_REDEEMABLE);
            BigInteger minRedeemable = d.minRedeemable();
            if (min != null) {
                if (min.matches("[0-9]+")) {
                    minRedeemable = new BigInteger(min);
                } else {
                    problems.add(NodePaymentSettings.MIN_REDEEMABLE + ": '" + min + "' is not a whole number of base units");
                }
            }
            return new NodePaymentSettings(java.util.Optional.ofNullable(rpc), java.util.Optional.ofNullable(contract),
                    dir, Duration.ofSeconds(every), minRedeemable);
        }

        EngineConfig.Backend backend() {
            String v = get(BACKEND);
            if (v == null) {
                return EngineConfig.Backend.AUTO;
            }
            try {
                return EngineConfig.Backend.valueOf(v.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problems.add(BACKEND + ": '" + v + "' is not a backend; give auto, cuda or cpu");
                return EngineConfig.Backend.AUTO;
            }
        }
    }
}
