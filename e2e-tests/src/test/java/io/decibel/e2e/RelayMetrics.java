package io.decibel.e2e;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Figures read from a relay's {@code /actuator/prometheus}. */
final class RelayMetrics {

	static final Pattern STORED = Pattern
		.compile("^decibel_relay_readings_total\\{[^}]*status=\"stored\"[^}]*\\} ([0-9.eE+]+)", Pattern.MULTILINE);

	private RelayMetrics() {
	}

	/** The readings the relay stored since it started: {@code decibel_relay_readings_total{status="stored"}}. */
	static long storedReadings(String prometheus) {
		Matcher matcher = STORED.matcher(prometheus);
		long stored = 0;
		while (matcher.find()) {
			stored += (long) Double.parseDouble(matcher.group(1));
		}
		return stored;
	}

}
