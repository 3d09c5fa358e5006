package io.gridshare.gateway.cdi;

import io.gridshare.chain.settlement.Redemption;
import io.gridshare.gateway.observe.PaymentObserver;
import io.gridshare.gateway.observe.VoucherRejection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.annotation.RegistryScope;

/**
 * The gateway's payment metrics (Prometheus at /metrics, docs/api.md): tenant vouchers and their
 * value, redemptions, the value held unredeemed, jobs paused or cut off for want of a voucher, and
 * what the gateway promised nodes. Amounts are base units of the payment token. Every series exists
 * from the start (rejections at zero for each reason), so an alert on an increase works from the
 * first scrape, in free mode too.
 */
@ApplicationScoped
public class PaymentMetrics implements PaymentObserver {

    /** {@code reason} tag of {@code gridshare_tenant_vouchers_rejected}: one series per {@link VoucherRejection}. */
    public static final String REASON = "reason";

    private final Counter accepted;
    private final Map<VoucherRejection, Counter> rejected = new EnumMap<>(VoucherRejection.class);
    private final Counter promised;
    private final Counter redeemed;
    private final Counter redemptions;
    private final Counter redemptionsFailed;
    private final Counter paused;
    private final Counter cutOff;
    private final Counter nodeVouchers;
    private final Counter promisedToNodes;
    private final AtomicReference<BigInteger> unredeemed = new AtomicReference<>(BigInteger.ZERO);

    @Inject
    public PaymentMetrics(@RegistryScope(scope = MetricRegistry.APPLICATION_SCOPE) MetricRegistry registry) {
        accepted = counter(registry, "gridshare_tenant_vouchers_accepted",
                "Tenant vouchers verified and stored (each raised its channel's amount)");
        for (VoucherRejection r : VoucherRejection.values()) {
            rejected.put(r, registry.counter(Metadata.builder().withName("gridshare_tenant_vouchers_rejected")
                    .withDescription("Tenant vouchers not counted, by reason").build(), new Tag(REASON, r.tag())));
        }
        promised = counter(registry, "gridshare_tenant_promised_base_units",
                "Base units tenants promised in accepted vouchers (sum of their increments)");
        redeemed = counter(registry, "gridshare_tenant_redeemed_base_units",
                "Base units redeemed on chain from tenant channels, protocol fee included");
        redemptions = counter(registry, "gridshare_redemption_transactions",
                "Redeem transactions of tenant vouchers that reached their confirmations");
        redemptionsFailed = counter(registry, "gridshare_redemptions_failed",
                "Settlement rounds that failed: a redeem reverted or timed out, or the chain could not be read");
        paused = counter(registry, "gridshare_jobs_paused_for_payment",
                "Times a job held tokens back because its tenant had a whole credit window unpaid");
        cutOff = counter(registry, "gridshare_jobs_cut_off_for_payment",
                "Jobs ended because their tenant sent no voucher within the payment timeout");
        nodeVouchers = counter(registry, "gridshare_vouchers_signed_for_nodes",
                "Vouchers the gateway signed for nodes");
        promisedToNodes = counter(registry, "gridshare_promised_to_nodes_base_units",
                "Base units the gateway promised nodes in the vouchers it signed (sum of their increments)");
        registry.gauge(Metadata.builder().withName("gridshare_tenant_unredeemed_base_units")
                        .withDescription("Base units in accepted tenant vouchers not yet redeemed on chain").build(),
                unredeemed, v -> v.get().doubleValue());
    }

    /** Created with the application, not at its first event: the series exist before anything is paid. */
    void register(@Observes @Initialized(ApplicationScoped.class) Object started) {
        // constructing the bean registered everything
    }

    private static Counter counter(MetricRegistry registry, String name, String description) {
        return registry.counter(Metadata.builder().withName(name).withDescription(description).build());
    }

    /** Adds a base-unit amount to a counter (long-valued: larger amounts go in several steps). */
    static void add(Counter counter, BigInteger amount) {
        BigInteger left = amount;
        BigInteger max = BigInteger.valueOf(Long.MAX_VALUE);
        while (left.signum() > 0) {
            BigInteger step = left.min(max);
            counter.inc(step.longValueExact());
            left = left.subtract(step);
        }
    }

    @Override
    public void voucherAccepted(BigInteger channelId, BigInteger cumulativeAmount, BigInteger increment) {
        accepted.inc();
        add(promised, increment);
    }

    @Override
    public void voucherRejected(VoucherRejection reason) {
        rejected.get(reason).inc();
    }

    @Override
    public void redeemed(List<Redemption> batch) {
        redemptions.inc();
        for (Redemption r : batch) {
            add(redeemed, r.paidToPayee().add(r.fee()));
        }
    }

    @Override
    public void redemptionFailed() {
        redemptionsFailed.inc();
    }

    @Override
    public void unredeemed(BigInteger baseUnits) {
        unredeemed.set(baseUnits);
    }

    @Override
    public void jobPaused() {
        paused.inc();
    }

    @Override
    public void jobCutOff() {
        cutOff.inc();
    }

    @Override
    public void nodeVoucherSigned(BigInteger increment) {
        nodeVouchers.inc();
        add(promisedToNodes, increment);
    }
}
