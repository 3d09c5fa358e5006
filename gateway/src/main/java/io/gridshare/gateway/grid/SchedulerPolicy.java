package io.gridshare.gateway.grid;

import java.time.Duration;

/**
 * How the {@link Scheduler} ranks nodes and shares slots between tenants.
 *
 * @param priceWeight          weight of the node's price (relative to the dearest candidate)
 * @param loadWeight           weight of the node's load (busy fraction of its slots)
 * @param latencyWeight        weight of the node's inter-token latency (relative to the slowest candidate)
 * @param maxInFlightPerTenant hard cap of jobs one tenant runs through this gateway at once; 0 = none
 * @param tenantActiveWindow   a tenant counts as competing for slots this long after its last request
 * @param maxAttempts          reservations tried per placement before giving up (reservations race
 *                             with other members; each failure moves on to the next candidate)
 */
public record SchedulerPolicy(double priceWeight, double loadWeight, double latencyWeight, int maxInFlightPerTenant,
                              Duration tenantActiveWindow, int maxAttempts) {

    public SchedulerPolicy {
        if (priceWeight < 0 || loadWeight < 0 || latencyWeight < 0) {
            throw new IllegalArgumentException("weights must be >= 0");
        }
        if (maxInFlightPerTenant < 0 || maxAttempts < 1) {
            throw new IllegalArgumentException("maxInFlightPerTenant must be >= 0 and maxAttempts >= 1");
        }
    }

    /** Price first (tenants pay it), then load and latency equally. */
    public static SchedulerPolicy defaults() {
        return new SchedulerPolicy(0.5, 0.25, 0.25, 0, Duration.ofSeconds(30), 8);
    }
}
