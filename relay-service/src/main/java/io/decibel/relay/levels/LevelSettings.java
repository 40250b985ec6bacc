package io.decibel.relay.levels;

import java.time.LocalTime;
import java.time.ZoneId;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How levels are put together over time.
 *
 * @param zone the time zone of the hours and days the levels are aggregated over, and of the Lden periods
 * @param dayStarts when the day period of Lden begins (EU 2002/49/EC: 07:00)
 * @param eveningStarts when the evening period begins (19:00); evening levels count 5 dB more in Lden
 * @param nightStarts when the night period begins (23:00); it lasts until the day period, and counts 10 dB more
 */
@ConfigurationProperties("decibel.relay.levels")
public record LevelSettings(@DefaultValue("UTC") ZoneId zone, @DefaultValue("07:00") LocalTime dayStarts,
		@DefaultValue("19:00") LocalTime eveningStarts, @DefaultValue("23:00") LocalTime nightStarts) {

	public LevelSettings {
		if (!(dayStarts.isBefore(eveningStarts) && eveningStarts.isBefore(nightStarts))) {
			throw new IllegalArgumentException("decibel.relay.levels: the day period must start before the evening,"
					+ " and the evening before the night, within one day: " + dayStarts + ", " + eveningStarts + ", "
					+ nightStarts);
		}
		for (LocalTime start : new LocalTime[] { dayStarts, eveningStarts, nightStarts }) {
			if (start.getMinute() != 0 || start.getSecond() != 0 || start.getNano() != 0) {
				throw new IllegalArgumentException("decibel.relay.levels: the Lden periods start on the hour (they"
						+ " are added up from hours), not at " + start);
			}
		}
	}

}
