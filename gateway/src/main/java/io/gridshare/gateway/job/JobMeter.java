package io.gridshare.gateway.job;

/**
 * The payment seam of a job: meters the tokens delivered to the tenant and decides how far ahead of
 * the tenant's vouchers the stream may run. The default ({@link CountingJobMeter}) only counts; the
 * payment-channel meter (vouchers inside the stream) plugs in here.
 */
public interface JobMeter {

    /** Opens the meter of one job, once the job is accepted and priced. */
    MeterSession open(JobQuote quote);
}
