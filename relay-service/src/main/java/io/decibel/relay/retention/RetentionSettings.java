package io.decibel.relay.retention;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long the relay keeps what it stores. Hour and day aggregates ({@code level_hours}, {@code level_days}) are
 * kept for ever. A duration of 0 keeps that table for ever.
 *
 * @param enabled whether this relay deletes anything at all
 * @param readings raw readings, by the time they were stored ({@code stored_at})
 * @param minutes minute aggregates ({@code level_minutes}), by the minute's start
 * @param quarantine refused payloads, by the time they were received
 * @param interval the time from the end of one run to the start of the next; the first run starts one interval, at
 * most a minute, after the relay
 * @param chunk rows deleted in one transaction
 * @param pause the least wait between two chunks, so that the writers of readings get the database between them
 * @param share the most of the database's time retention takes while it deletes: after a chunk it waits for the
 * chunk's time times {@code (1 - share) / share} (at least {@code pause}), so that a backlog slows ingest little
 * however slow the database is; it also bounds how fast retention deletes
 */
@ConfigurationProperties("decibel.relay.retention")
record RetentionSettings(@DefaultValue("true") boolean enabled, @DefaultValue("30d") Duration readings,
		@DefaultValue("365d") Duration minutes, @DefaultValue("30d") Duration quarantine,
		@DefaultValue("1h") Duration interval, @DefaultValue("50") int chunk, @DefaultValue("50ms") Duration pause,
		@DefaultValue("0.1") double share) {

	RetentionSettings {
		if (chunk < 1) {
			throw new IllegalArgumentException("decibel.relay.retention.chunk must be at least 1");
		}
		if (!(share > 0 && share <= 1)) {
			throw new IllegalArgumentException("decibel.relay.retention.share must be above 0 and at most 1");
		}
		if (interval.isNegative() || interval.isZero()) {
			throw new IllegalArgumentException("decibel.relay.retention.interval must be positive");
		}
	}

}
