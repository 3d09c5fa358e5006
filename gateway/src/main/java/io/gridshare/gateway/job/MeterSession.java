package io.gridshare.gateway.job;

import io.gridshare.proto.v1.PaymentDue;
import io.gridshare.proto.v1.Voucher;
import java.math.BigInteger;
import java.util.Optional;

/**
 * One job's meter. Called under the job's lock, in order: never blocks (a chain look-up belongs in a
 * cache or on another thread).
 */
public interface MeterSession {

    /**
     * The cumulative number of tokens the tenant may have received now. The job holds further tokens
     * back (and the node pauses, by credit) until a voucher raises it. {@link Long#MAX_VALUE}: no limit.
     */
    long deliverableThrough();

    /**
     * Tokens were delivered; {@code cumulativeTokens} counts all tokens delivered so far, produced by
     * {@code nodeId}'s share of them.
     *
     * @return a PaymentDue for the tenant when a voucher is now due
     */
    Optional<PaymentDue> onDelivered(long cumulativeTokens, String nodeId, int tokens);

    /**
     * A voucher from the tenant.
     *
     * @throws io.grpc.StatusRuntimeException with the reason when the voucher is refused (the job ends)
     */
    void onVoucher(Voucher voucher);

    /** What the tenant owes for {@code tokens} delivered tokens. */
    BigInteger amountFor(long tokens);

    /**
     * The node finished and every token has been delivered: the PaymentDue for everything, sent
     * once. The job then sends Completed only when {@link #paidFor} says the tenant has paid.
     */
    default Optional<PaymentDue> onLastToken(long deliveredTokens) {
        return Optional.empty();
    }

    /** Whether the tenant's vouchers cover {@code deliveredTokens} (the whole job, before Completed). */
    default boolean paidFor(long deliveredTokens) {
        return true;
    }

    /**
     * Whether the tenant let a payment run past its deadline; the job then ends with this status
     * (FAILED_PRECONDITION "payment required ..."). Asked when {@link PaymentEvents#checkPayment()} fires.
     */
    default Optional<io.grpc.Status> overdue() {
        return Optional.empty();
    }

    /** The job ended, after its last token. */
    default void close(long deliveredTokens) {}
}
