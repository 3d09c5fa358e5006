package io.gridshare.gateway.grid;

/**
 * Where a job runs: the reserved slot and the node entry it was chosen from. Hand it back to
 * {@link Scheduler#finished} when the job ends (completed, failed or cancelled).
 */
public record Placement(String tenantId, SlotReservation reservation, NodeEntry node) {
}
