package io.decibel.relay.database;

import java.time.Duration;

import io.decibel.relay.database.DatabaseClock.Measurement;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * For readiness ({@code databaseClock}): DOWN while the relay's clock is further from the database's than
 * {@code decibel.relay.database.max-clock-skew}. The relay's stored times and checks go by the database's clock
 * whatever its own says; what still goes by its own (its log lines) is off, and its host wants looking at.
 * UNKNOWN until the database's clock was read once.
 */
@Component
class DatabaseClockHealthIndicator implements HealthIndicator {

	private final DatabaseClock clock;

	DatabaseClockHealthIndicator(DatabaseClock clock) {
		this.clock = clock;
	}

	@Override
	public Health health() {
		Measurement last = this.clock.lastMeasurement();
		if (last == null) {
			return Health.unknown().withDetail("maxSkew", this.clock.maxSkew().toString()).build();
		}
		Health.Builder health = this.clock.skewWithinLimit() ? Health.up() : Health.down();
		return health.withDetail("skew", last.skew().toString())
			.withDetail("maxSkew", this.clock.maxSkew().toString())
			.withDetail("databaseTime", last.database().toString())
			.withDetail("measuredAgo", Duration.ofNanos(System.nanoTime() - last.nanoTime()).toString())
			.withDetail("roundTrip", last.roundTrip().toString())
			.build();
	}

}
