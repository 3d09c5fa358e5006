package io.gridshare.chain;

import io.gridshare.chain.contracts.GridshareContracts;
import io.gridshare.chain.rpc.HttpClientWeb3jService;
import io.gridshare.chain.rpc.RetryPolicy;
import io.gridshare.chain.tx.Keystores;
import io.gridshare.chain.tx.TransactionOptions;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The chain adapter's configuration, read from flat keys (MicroProfile Config, system properties,
 * environment) under {@code gridshare.chain.}:
 *
 * <pre>
 * gridshare.chain.rpc-url               http://127.0.0.1:8545
 * gridshare.chain.chain-id              31337           (checked against the node)
 * gridshare.chain.grid-token            0x…
 * gridshare.chain.node-registry         0x…
 * gridshare.chain.payment-channels      0x…
 * gridshare.chain.deployment-file       deployment.json (instead of the four lines above)
 * gridshare.chain.keystore              /secrets/gateway.json   (optional: read-only without)
 * gridshare.chain.passphrase-file       /secrets/gateway.pass   (or)
 * gridshare.chain.passphrase-env        GRIDSHARE_KEY_PASSPHRASE
 * gridshare.chain.confirmations         1
 * gridshare.chain.receipt-timeout       PT2M
 * gridshare.chain.retry.max-attempts    5
 * gridshare.chain.max-fee-per-gas       (wei, optional cap)
 * </pre>
 */
public record ChainSettings(Deployment deployment, Optional<Path> keystore, Optional<Keystores.Passphrase> passphrase,
                            TransactionOptions transactionOptions, RetryPolicy retryPolicy) {
    public static final String PREFIX = "gridshare.chain.";

    /**
     * Reads settings through {@code lookup} (a key without the prefix → its value or null).
     *
     * @throws ChainException naming the missing or malformed key
     */
    public static ChainSettings from(Function<String, String> lookup) {
        Function<String, Optional<String>> get = key -> Optional.ofNullable(lookup.apply(PREFIX + key)).filter(v -> !v.isBlank());
        Deployment deployment = get.apply("deployment-file")
                .map(f -> Deployment.read(Path.of(f)))
                .map(d -> get.apply("rpc-url").map(url -> new Deployment(url, d.chainId(), d.gridToken(), d.nodeRegistry(),
                        d.paymentChannels())).orElse(d))
                .orElseGet(() -> new Deployment(required(get, "rpc-url"), Long.parseLong(required(get, "chain-id")),
                        required(get, "grid-token"), required(get, "node-registry"), required(get, "payment-channels")));
        Optional<Path> keystore = get.apply("keystore").map(Path::of);
        Optional<Keystores.Passphrase> passphrase = get.apply("passphrase-file").map(f -> Keystores.Passphrase.fromFile(Path.of(f)))
                .or(() -> get.apply("passphrase-env").map(Keystores.Passphrase::fromEnv));
        if (keystore.isPresent() && passphrase.isEmpty()) {
            throw new ChainException(PREFIX + "keystore is set but neither " + PREFIX + "passphrase-file nor "
                    + PREFIX + "passphrase-env says where its passphrase is");
        }
        TransactionOptions defaults = TransactionOptions.defaults();
        try {
            TransactionOptions tx = new TransactionOptions(
                    get.apply("confirmations").map(Integer::parseInt).orElse(defaults.confirmations()),
                    get.apply("receipt-timeout").map(Duration::parse).orElse(defaults.receiptTimeout()),
                    defaults.pollInterval(), defaults.gasLimitMultiplier(),
                    get.apply("max-fee-per-gas").map(BigInteger::new).orElse(null));
            RetryPolicy defaultRetry = RetryPolicy.defaults();
            RetryPolicy retry = new RetryPolicy(get.apply("retry.max-attempts").map(Integer::parseInt).orElse(defaultRetry.maxAttempts()),
                    defaultRetry.initialBackoff(), defaultRetry.maxBackoff());
            return new ChainSettings(deployment, keystore, passphrase, tx, retry);
        } catch (RuntimeException e) {
            throw new ChainException("Malformed " + PREFIX + "* setting: " + e.getMessage(), e);
        }
    }

    /** Reads settings from a map of full keys (e.g. system properties). */
    public static ChainSettings from(Map<String, String> values) {
        return from(values::get);
    }

    private static String required(Function<String, Optional<String>> get, String key) {
        return get.apply(key).orElseThrow(() -> new ChainException("Missing setting " + PREFIX + key
                + " (or " + PREFIX + "deployment-file)"));
    }

    /**
     * Connects to the node, checks its chain id against the deployment, loads the key if one is
     * configured, and returns the contracts (signing when a keystore is set, read-only otherwise).
     * Close {@code contracts.chain()} when done.
     */
    public GridshareContracts connect() {
        ChainConnection chain = ChainConnection.connect(new HttpClientWeb3jService(deployment.rpcUrl(), retryPolicy,
                Duration.ofSeconds(30), Map.of()), io.gridshare.chain.contracts.ContractErrors.gridshare());
        try {
            if (keystore.isEmpty()) {
                return GridshareContracts.readOnly(chain, deployment);
            }
            return GridshareContracts.as(chain, deployment, Keystores.load(keystore.get(), passphrase.orElseThrow()),
                    transactionOptions);
        } catch (RuntimeException e) {
            chain.close();
            throw e;
        }
    }
}
