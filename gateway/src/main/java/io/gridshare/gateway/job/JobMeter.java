package io.gridshare.gateway.job;

/**
 * The payment seam of a job: meters the tokens delivered to the tenant and decides how far ahead of
 * the tenant's vouchers the stream may run. The default ({@link CountingJobMeter}) only counts; the
 * payment-channel meter (vouchers inside the stream) plugs in here.
 */
public interface JobMeter {

    /** Opens the meter of one job, once the job is accepted and priced. */
    MeterSession open(JobQuote quote);

    /**
     * Opens the meter of one job that the meter may wake for a payment deadline.
     *
     * @throws io.grpc.StatusRuntimeException when the job may not run (e.g. its channel cannot pay)
     */
    default MeterSession open(JobQuote quote, PaymentEvents events) {
        return open(quote);
    }

    /** The address tenants' vouchers pay (Accepted.payee); empty: the gateway id is reported. */
    default java.util.Optional<String> payee() {
        return java.util.Optional.empty();
    }

    /** Gives the meter the way to this member's node links (to pay nodes over them). */
    default void useLinks(java.util.function.Function<String, java.util.Optional<NodeChannel>> links) {}
}
