package io.gridshare.node.link;

import io.gridshare.proto.v1.Voucher;

/**
 * Receives the gateway → node vouchers a gateway sends over its link (the gateway pays each node
 * through its own channel to that node). The node's settlement service implements this to check
 * and store vouchers; it is called on a gRPC thread and must not block.
 */
@FunctionalInterface
public interface PaymentListener {

    /**
     * @param gatewayId the gateway's id from its Challenge/Welcome
     * @param nodeKey the node's address the voucher pays (the payee)
     * @param voucher the voucher as received, unverified
     */
    void onVoucher(String gatewayId, String nodeKey, Voucher voucher);

    /** Ignores vouchers (they are still counted in the node's metrics). */
    PaymentListener IGNORE = (gatewayId, nodeKey, voucher) -> { };
}
