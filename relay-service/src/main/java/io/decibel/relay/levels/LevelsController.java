package io.decibel.relay.levels;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.decibel.contract.ReadingValidator;
import io.decibel.relay.database.DatabaseClock;
import io.decibel.relay.levels.LevelReader.Interval;
import org.jspecify.annotations.Nullable;

import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * "How loud was it?" for one device over time: its minutes, hours or days that overlap a window, oldest first, each
 * with its Leq, LAFmax, LAFmin, L10/L50/L90, counts and coverage; days also with Lden and its periods' levels. Only
 * intervals with readings are listed. Minutes are as current as the readings; hours and days follow a few seconds
 * behind ({@link LevelRollup}).
 */
@RestController
class LevelsController {

	/** The longest window per interval: a bounded answer (1,440 minutes, 744 hours or 366 days at most). */
	static final Map<Interval, Duration> MAX_WINDOW = Map.of(Interval.MINUTE, Duration.ofDays(1), Interval.HOUR,
			Duration.ofDays(31), Interval.DAY, Duration.ofDays(366));

	/** The window when none is given, ending now: the last hour of minutes, day of hours, 30 days of days. */
	static final Map<Interval, Duration> DEFAULT_WINDOW = Map.of(Interval.MINUTE, Duration.ofHours(1), Interval.HOUR,
			Duration.ofDays(1), Interval.DAY, Duration.ofDays(30));

	private final LevelReader reader;

	private final DatabaseClock clock;

	LevelsController(LevelReader reader, DatabaseClock clock) {
		this.reader = reader;
		this.clock = clock;
	}

	/**
	 * @param interval {@code 1m}, {@code 1h} (hours of the configured zone) or {@code 1d} (its calendar days)
	 * @param from the start of the window (ISO-8601 instant); intervals that end after it are listed
	 * @param to the end of the window; intervals that start before it are listed
	 */
	@GetMapping("/api/devices/{deviceId}/levels")
	Levels levels(@PathVariable String deviceId, @RequestParam(defaultValue = "1m") String interval,
			@RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) @Nullable Instant from,
			@RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) @Nullable Instant to) {
		if (!ReadingValidator.isValidDeviceId(deviceId)) {
			throw badRequest("deviceId must match " + ReadingValidator.DEVICE_ID.pattern());
		}
		Interval length = Interval.of(interval);
		if (length == null) {
			throw badRequest("interval must be 1m, 1h or 1d, not '" + interval + "'");
		}
		Instant end = (to != null) ? to : this.clock.instant();
		Instant start = (from != null) ? from : end.minus(DEFAULT_WINDOW.get(length));
		if (!start.isBefore(end)) {
			throw badRequest("from must be before to");
		}
		if (Duration.between(start, end).compareTo(MAX_WINDOW.get(length)) > 0) {
			long days = MAX_WINDOW.get(length).toDays();
			throw badRequest(
					"a window of " + interval + " intervals lasts at most " + days + ((days == 1) ? " day" : " days"));
		}
		return new Levels(deviceId, length.label(), start, end, this.reader.items(deviceId, length, start, end));
	}

	private static ResponseStatusException badRequest(String reason) {
		return new ResponseStatusException(HttpStatus.BAD_REQUEST, reason);
	}

	record Levels(String deviceId, String interval, Instant from, Instant to, List<?> items) {
	}

}
