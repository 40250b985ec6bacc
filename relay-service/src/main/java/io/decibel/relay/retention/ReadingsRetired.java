package io.decibel.relay.retention;

/**
 * Retention deleted readings of a device, committed: published on the retention thread. Every reading of the device
 * below {@code retainedFrom} is gone; {@code deleted} of the deleted readings were at or above the device's previous
 * horizon (those below it were already outside the delivery figures).
 */
public record ReadingsRetired(String deviceId, long retainedFrom, long deleted) {
}
