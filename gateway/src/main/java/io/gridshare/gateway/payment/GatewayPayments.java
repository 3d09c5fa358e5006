package io.gridshare.gateway.payment;

import io.gridshare.chain.ChainException;
import io.gridshare.chain.ChainSettings;
import io.gridshare.chain.contracts.GridshareContracts;
import io.gridshare.chain.settlement.SettlementPolicy;
import io.gridshare.chain.settlement.SettlementService;
import io.gridshare.chain.tx.Keystores;
import io.gridshare.gateway.config.GatewaySettings;
import io.gridshare.gateway.job.CountingJobMeter;
import io.gridshare.gateway.job.JobMeter;
import io.gridshare.gateway.observe.PaymentObserver;
import java.lang.System.Logger.Level;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.Config;
import org.web3j.crypto.Credentials;

/**
 * The gateway's payment side wired together: the tenant-channel meter, the node payer and the
 * settlement service that redeems tenant vouchers in batches. Built from configuration by
 * {@link #fromConfig}; in free mode ({@code gridshare.payment.enabled=false}, or no chain
 * configured) the meter is a {@link CountingJobMeter} and nothing touches a chain.
 */
public final class GatewayPayments implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(GatewayPayments.class.getName());

    private final JobMeter meter;
    private final SettlementService settlement;
    private final NodePayer nodePayer;
    private final GridshareContracts contracts;
    private final ScheduledExecutorService timers;
    private final Credentials key;
    private final PaymentObserver observer;
    private boolean ownsChain;

    private GatewayPayments(JobMeter meter, SettlementService settlement, NodePayer nodePayer,
                            GridshareContracts contracts, ScheduledExecutorService timers, Credentials key,
                            PaymentObserver observer) {
        this.meter = meter;
        this.observer = observer;
        this.settlement = settlement;
        this.nodePayer = nodePayer;
        this.contracts = contracts;
        this.timers = timers;
        this.key = key;
    }

    /** Free mode: tokens are counted and priced, no voucher is asked for. */
    public static GatewayPayments free() {
        return new GatewayPayments(new CountingJobMeter(), null, null, null, null, null, PaymentObserver.NOOP);
    }

    /**
     * Paid mode over deployed contracts.
     *
     * @param contracts the contracts (any signer; the gateway's {@code key} signs its transactions)
     * @param key the gateway's key: payee of tenant channels, payer and signer of node channels
     * @param window W, the credit window in tokens ({@code gridshare.payment.credit-window-tokens})
     */
    public static GatewayPayments paid(GridshareContracts contracts, Credentials key, PaymentSettings settings,
                                       int window) {
        return paid(contracts, key, settings, window, PaymentObserver.NOOP);
    }

    /**
     * Paid mode, reporting to {@code observer}: tenant vouchers accepted and refused, redemptions and
     * failed settlement rounds, the value accepted but not yet redeemed, jobs paused and cut off, and
     * vouchers signed for nodes.
     */
    public static GatewayPayments paid(GridshareContracts contracts, Credentials key, PaymentSettings settings,
                                       int window, PaymentObserver observer) {
        GridshareContracts asGateway = contracts.as(key);
        SettlementService settlement = new SettlementService(asGateway.paymentChannels(), key.getAddress(),
                settings.settlementDir().resolve("tenant-vouchers"),
                new SettlementPolicy(settings.minRedeemable(), BigDecimal.ZERO, BigDecimal.ONE, 50, 65_000, 20_000));
        NodePayer payer = new NodePayer(asGateway.paymentChannels(), asGateway.gridToken(), key,
                settings.nodeChannelDeposit(), settings.nodeChannelTopUpBelow(), window,
                settings.settlementDir().resolve("node-vouchers"), settings.nodeVoucherRedelivery());
        payer.observe(observer);
        UnredeemedValue held = new UnredeemedValue(settlement.all(), settlement.redemptions(), observer);
        settlement.addListener(held::redeemed);
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gridshare-payments");
            t.setDaemon(true);
            return t;
        });
        ChannelJobMeter meter = new ChannelJobMeter(asGateway.paymentChannels(), settlement, key.getAddress(),
                contracts.deployment().gridToken(), payer, settings, timers, Clock.systemUTC(), held);
        GatewayPayments payments = new GatewayPayments(meter, settlement, payer, asGateway, timers, key, observer);
        long every = Math.max(1, settings.settleInterval().toMillis());
        timers.scheduleWithFixedDelay(payments::settleRound, every, every, TimeUnit.MILLISECONDS);
        return payments;
    }

    /**
     * One settlement round by the policy, as the timer runs it: a failure is logged and counted, and
     * the next round tries again (nothing redeemable is lost: it is computed from the chain).
     */
    void settleRound() {
        try {
            settlement.settle();
        } catch (RuntimeException e) {
            observer.redemptionFailed();
            LOG.log(Level.WARNING, "settlement round failed (retried next round): " + e.getMessage(), e);
        }
    }

    /** Reads {@link PaymentSettings} and {@code gridshare.chain.*}; free mode unless payments are enabled. */
    public static GatewayPayments fromConfig(Config config, GatewaySettings gateway) {
        return fromConfig(config, gateway, PaymentObserver.NOOP);
    }

    /** As {@link #fromConfig(Config, GatewaySettings)}, reporting payment events to {@code observer}. */
    public static GatewayPayments fromConfig(Config config, GatewaySettings gateway, PaymentObserver observer) {
        PaymentSettings settings = PaymentSettings.from(config);
        if (!settings.enabled()) {
            LOG.log(Level.INFO, "payments disabled ({0}=false or no chain configured): serving for free",
                    PaymentSettings.ENABLED);
            return free();
        }
        Credentials key = loadKey(settings);
        ChainSettings chain = ChainSettings.from(k -> config.getOptionalValue(k, String.class).orElse(null));
        GridshareContracts contracts = GridshareContracts.readOnly(
                chain.connect().chain(), chain.deployment());
        LOG.log(Level.INFO, "payments on chain {0}: gateway {1}, PaymentChannels {2}", chain.deployment().chainId(),
                key.getAddress(), chain.deployment().paymentChannels());
        GatewayPayments payments = paid(contracts, key, settings, gateway.creditWindowTokens(), observer);
        payments.ownsChain = true;
        return payments;
    }

    static Credentials loadKey(PaymentSettings settings) {
        if (settings.keystore().isPresent()) {
            java.nio.file.Path keystore = settings.keystore().get();
            return Keystores.load(keystore, Keystores.Passphrase.fromFile(settings.keystorePasswordFile()
                    .orElseThrow(() -> new ChainException(PaymentSettings.KEYSTORE + " is set but "
                            + PaymentSettings.KEYSTORE_PASSWORD_FILE + " is not: say where its password is"))));
        }
        return settings.devPrivateKey().map(Credentials::create).orElseThrow(() -> new ChainException(
                "payments are enabled but the gateway has no key: set " + PaymentSettings.KEYSTORE + " and "
                        + PaymentSettings.KEYSTORE_PASSWORD_FILE + " (or " + PaymentSettings.PRIVATE_KEY
                        + " on a local network), or " + PaymentSettings.ENABLED + "=false to serve for free"));
    }


    public JobMeter meter() {
        return meter;
    }

    public boolean enabled() {
        return settlement != null;
    }

    /** The gateway's settlement service (tenant vouchers), when paid. */
    public Optional<SettlementService> settlement() {
        return Optional.ofNullable(settlement);
    }

    public Optional<NodePayer> nodePayer() {
        return Optional.ofNullable(nodePayer);
    }

    /** The gateway's address (payee of tenant channels), when paid. */
    public Optional<String> address() {
        return Optional.ofNullable(key).map(Credentials::getAddress);
    }

    @Override
    public void close() {
        if (timers != null) {
            timers.shutdownNow();
        }
        if (nodePayer != null) {
            nodePayer.close();
        }
        if (settlement != null) {
            settlement.close();
        }
        if (contracts != null && ownsChain) {
            contracts.chain().close();
        }
    }
}
