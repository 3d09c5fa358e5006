package io.gridshare.node.payment;

/**
 * The node's payment series in Prometheus text format, for its /metrics: vouchers kept and refused
 * (by reason, every reason from the start), what gateways promised, what the node redeemed and what
 * it holds unredeemed (base units of the payment token), redeem transactions and failed rounds.
 * Vouchers received over the links are counted by {@link io.gridshare.node.link.NodeMetrics}.
 */
public final class NodePaymentMetrics {

    private NodePaymentMetrics() {}

    /** Appends the series of {@code payments} to {@code s}. */
    public static void write(NodePayments payments, StringBuilder s) {
        help(s, "gridshare_node_vouchers_accepted_total", "counter", "Vouchers verified and kept.");
        s.append("gridshare_node_vouchers_accepted_total ").append(payments.vouchersAccepted()).append('\n');
        help(s, "gridshare_node_vouchers_rejected_total", "counter",
                "Vouchers that failed verification or could not be stored, by reason.");
        for (NodePayments.Rejection r : NodePayments.Rejection.values()) {
            s.append("gridshare_node_vouchers_rejected_total{reason=\"").append(r.label()).append("\"} ")
                    .append(payments.vouchersRejected(r)).append('\n');
        }
        help(s, "gridshare_node_earned_base_units", "gauge",
                "Sum of the latest voucher of every channel paying this node (base units).");
        s.append("gridshare_node_earned_base_units ").append(payments.earned()).append('\n');
        help(s, "gridshare_node_redeemed_base_units", "counter",
                "Taken out of channels by this node's redemptions, protocol fee included (base units).");
        s.append("gridshare_node_redeemed_base_units ").append(payments.redeemed()).append('\n');
        help(s, "gridshare_node_unredeemed_base_units", "gauge",
                "Promised in kept vouchers and not yet redeemed (base units).");
        s.append("gridshare_node_unredeemed_base_units ").append(payments.unredeemed()).append('\n');
        help(s, "gridshare_node_redemption_transactions_total", "counter",
                "Redeem transactions that reached their confirmations.");
        s.append("gridshare_node_redemption_transactions_total ").append(payments.redemptionTransactions())
                .append('\n');
        help(s, "gridshare_node_redemptions_failed_total", "counter",
                "Settlement rounds that failed: a redeem reverted or timed out, or the chain could not be read.");
        s.append("gridshare_node_redemptions_failed_total ").append(payments.redemptionFailures()).append('\n');
    }

    private static void help(StringBuilder s, String name, String type, String help) {
        s.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }
}
