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
 * @param pause the least wait between two chunks, so that the writers of readings get the database between them; the
 * wait is as long as the chunk took when that is longer
 */
@ConfigurationProperties("decibel.relay.retention")
record RetentionSettings(@DefaultValue("true") boolean enabled, @DefaultValue("30d") Duration readings,
		@DefaultValue("365d") Duration minutes, @DefaultValue("30d") Duration quarantine,
		@DefaultValue("1h") Duration interval, @DefaultValue("1000") int chunk, @DefaultValue("50ms") Duration pause) {

	RetentionSettings {
		if (chunk < 1) {
			throw new IllegalArgumentException("decibel.relay.retention.chunk must be at least 1");
		}
		if (interval.isNegative() || interval.isZero()) {
			throw new IllegalArgumentException("decibel.relay.retention.interval must be positive");
		}
	}

}
