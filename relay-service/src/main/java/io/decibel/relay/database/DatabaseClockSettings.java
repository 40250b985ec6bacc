package io.decibel.relay.database;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The database's clock, which the relay's stored times and checks go by ({@link DatabaseClock}).
 *
 * @param maxClockSkew how far the relay's own clock may differ from the database's before the relay reports itself not
 * ready ({@code databaseClock} DOWN in readiness); far above what NTP leaves between two hosts (milliseconds) and
 * what a measurement's round trip blurs, far below what a minute aggregate or an alert's duration would notice
 * @param clockCheckInterval how often the relay reads the database's clock (one {@code select utc_timestamp(6)})
 */
@ConfigurationProperties("decibel.relay.database")
record DatabaseClockSettings(@DefaultValue("5s") Duration maxClockSkew,
		@DefaultValue("10s") Duration clockCheckInterval) {

	DatabaseClockSettings {
		if (maxClockSkew.isNegative() || maxClockSkew.isZero()) {
			throw new IllegalArgumentException("decibel.relay.database.max-clock-skew must be positive");
		}
		if (clockCheckInterval.isNegative() || clockCheckInterval.isZero()) {
			throw new IllegalArgumentException("decibel.relay.database.clock-check-interval must be positive");
		}
	}

}
