package io.gridshare.gateway.job;

/** How a job's meter wakes the job when a payment deadline passes (from the meter's timer thread). */
@FunctionalInterface
public interface PaymentEvents {

    /** The job asks its meter whether a payment is overdue and ends itself if so. */
    void checkPayment();
}
