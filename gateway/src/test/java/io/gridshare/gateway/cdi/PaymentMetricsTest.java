package io.gridshare.gateway.cdi;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridshare.chain.settlement.Redemption;
import io.gridshare.gateway.observe.VoucherRejection;
import io.helidon.microprofile.testing.junit5.AddConfig;
import io.helidon.microprofile.testing.junit5.HelidonTest;
import jakarta.inject.Inject;
import jakarta.ws.rs.client.WebTarget;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The payment metrics as Prometheus scrapes them from the gateway's /metrics: each event the payment
 * side reports moves exactly its series. The gateway runs in free mode (no chain); the events are
 * those {@code PaymentEventsTest} shows the payment side reports on anvil.
 */
@HelidonTest
@AddConfig(key = "gridshare.grid.mode", value = "standalone")
@AddConfig(key = "gridshare.grpc.port", value = "0")
@AddConfig(key = "gridshare.grpc.host", value = "127.0.0.1")
class PaymentMetricsTest {

    @Inject
    WebTarget target;
    @Inject
    PaymentMetrics metrics;

    private final HttpClient http = HttpClient.newHttpClient();

    private String scrape() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(target.getUri() + "/metrics"))
                .header("Accept", "text/plain").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** The value of the one series named {@code name} whose labels include {@code label} (may be empty). */
    private static double value(String body, String name, String label) {
        Pattern p = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$", Pattern.MULTILINE);
        Matcher m = p.matcher(body);
        Double found = null;
        while (m.find()) {
            if (label.isEmpty() || (m.group(1) != null && m.group(1).contains(label))) {
                assertThat(found).as("one series of " + name + " " + label).isNull();
                found = Double.parseDouble(m.group(2));
            }
        }
        assertThat(found).as(name + " " + label + " in\n" + body).isNotNull();
        return found;
    }

    @Test
    void everyPaymentSeriesIsScrapedWithItsReasonsFromTheStartAndMovesByExactlyWhatWasReported() throws Exception {
        String before = scrape();
        for (VoucherRejection r : VoucherRejection.values()) {
            assertThat(value(before, "gridshare_tenant_vouchers_rejected_total", "reason=\"" + r.tag() + "\""))
                    .isGreaterThanOrEqualTo(0);
        }

        metrics.voucherAccepted(BigInteger.ONE, BigInteger.valueOf(5_000), BigInteger.valueOf(5_000));
        metrics.voucherAccepted(BigInteger.ONE, BigInteger.valueOf(7_500), BigInteger.valueOf(2_500));
        metrics.voucherRejected(VoucherRejection.BAD_SIGNATURE);
        metrics.voucherRejected(VoucherRejection.NOT_HIGHER);
        metrics.voucherRejected(VoucherRejection.NOT_HIGHER);
        metrics.unredeemed(BigInteger.valueOf(7_500));
        metrics.redeemed(List.of(new Redemption(BigInteger.ONE, BigInteger.valueOf(7_500), BigInteger.valueOf(7_425),
                BigInteger.valueOf(75), "0x01", BigInteger.ONE)));
        metrics.unredeemed(BigInteger.ZERO);
        metrics.redemptionFailed();
        metrics.jobPaused();
        metrics.jobCutOff();
        metrics.nodeVoucherSigned(BigInteger.valueOf(4_000));
        metrics.nodeVoucherSigned(BigInteger.valueOf(2_000));
        String after = scrape();

        assertDelta(before, after, "gridshare_tenant_vouchers_accepted_total", "", 2);
        assertDelta(before, after, "gridshare_tenant_vouchers_rejected_total", "reason=\"bad_signature\"", 1);
        assertDelta(before, after, "gridshare_tenant_vouchers_rejected_total", "reason=\"not_higher\"", 2);
        assertDelta(before, after, "gridshare_tenant_vouchers_rejected_total", "reason=\"overdraft\"", 0);
        assertDelta(before, after, "gridshare_tenant_promised_base_units_total", "", 7_500);
        assertDelta(before, after, "gridshare_tenant_redeemed_base_units_total", "", 7_500);
        assertDelta(before, after, "gridshare_redemption_transactions_total", "", 1);
        assertDelta(before, after, "gridshare_redemptions_failed_total", "", 1);
        assertDelta(before, after, "gridshare_jobs_paused_for_payment_total", "", 1);
        assertDelta(before, after, "gridshare_jobs_cut_off_for_payment_total", "", 1);
        assertDelta(before, after, "gridshare_vouchers_signed_for_nodes_total", "", 2);
        assertDelta(before, after, "gridshare_promised_to_nodes_base_units_total", "", 6_000);
        assertThat(value(after, "gridshare_tenant_unredeemed_base_units", "")).isZero();
    }

    private static void assertDelta(String before, String after, String name, String label, double delta) {
        assertThat(value(after, name, label) - value(before, name, label)).as(name + " " + label).isEqualTo(delta);
    }
}
