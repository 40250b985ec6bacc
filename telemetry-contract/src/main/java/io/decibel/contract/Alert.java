package io.decibel.contract;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A change of a threshold alert, as the relay publishes it on {@code {root}/{deviceId}/alert} (contract v1.1,
 * additive). Published at least once: {@code (id, change)} identifies a change, so a consumer drops repeats.
 *
 * @param id the alert (an episode of a device over a rule's limit); its raise and its clear carry the same id
 * @param change raised or cleared
 * @param rule the name of the rule
 * @param deviceId the device
 * @param metric what the rule compares: {@code laeq}, {@code lafmax}, {@code l10}, {@code l50} or {@code l90} of a
 * minute
 * @param limit the rule's limit, dB
 * @param raisedAt the start of the episode's first minute over the limit
 * @param clearedAt when the episode ended (the start of its first minute at or below the limit, or the end of the
 * rule's time window); {@code null} while it is open
 * @param level the highest minute level of the episode so far, dB
 */
public record Alert(long id, AlertChange change, String rule, String deviceId, String metric, double limit,
		Instant raisedAt, @Nullable Instant clearedAt, double level) {
}
