package io.decibel.relay.levels;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the hours and days are kept up to date from the minutes ({@link LevelRollup}).
 *
 * @param enabled whether this relay takes its turn at rolling up (one relay at a time does, whichever comes first)
 * @param period how long after one pass the next begins: how far the hours and days may lag behind the minutes
 * @param margin how far back before the last pass each pass looks for minutes that changed: longer than a store
 * transaction takes from writing its minutes to its commit (a slower commit marks its minutes changed again)
 * @param maxParts the most changed minute parts one pass takes (a backlog is taken in several passes, each its own
 * transaction; one store transaction's parts are always taken together)
 */
@ConfigurationProperties("decibel.relay.levels.rollup")
public record LevelRollupSettings(@DefaultValue("true") boolean enabled, @DefaultValue("5s") Duration period,
		@DefaultValue("1m") Duration margin, @DefaultValue("20000") int maxParts) {

	public LevelRollupSettings {
		if (period.isNegative() || period.isZero() || margin.isNegative() || margin.isZero() || maxParts < 1) {
			throw new IllegalArgumentException(
					"decibel.relay.levels.rollup: period, margin and max-parts must be positive, not " + period + ", "
							+ margin + ", " + maxParts);
		}
	}

}
