package io.decibel.contract;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Checks the values of a reading against the wire contract and says, for each field that is off, why. An empty
 * list means the reading is valid.
 */
public final class ReadingValidator {

	public static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

	/** The largest seq a JSON number carries exactly everywhere (2^53 - 1), browsers included. */
	public static final long MAX_SEQ = 9_007_199_254_740_991L;

	public static final long MAX_WINDOW_MS = Duration.ofHours(1).toMillis();

	/** Device clocks drift; a reading from further in the future than this is not believable. */
	static final Duration MAX_CLOCK_AHEAD = Duration.ofDays(1);

	static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");

	/**
	 * The reason given for a {@code sampledAt} out of range: the one check that depends on the judge's clock, so that
	 * a judge that doubts its clock can tell it apart.
	 */
	public static final String SAMPLED_AT_OUT_OF_RANGE = "sampledAt must be between " + EARLIEST + " and a day from now";

	private static final Pattern SOURCE = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

	private final Clock clock;

	public ReadingValidator(Clock clock) {
		this.clock = clock;
	}

	public ReadingValidator() {
		this(Clock.systemUTC());
	}

	public static boolean isValidDeviceId(String deviceId) {
		return deviceId != null && DEVICE_ID.matcher(deviceId).matches();
	}

	public List<String> validate(Reading reading) {
		List<String> reasons = new ArrayList<>();
		if (!isValidDeviceId(reading.deviceId())) {
			reasons.add("deviceId must match " + DEVICE_ID.pattern());
		}
		if (reading.seq() < 0 || reading.seq() > MAX_SEQ) {
			reasons.add("seq must be between 0 and " + MAX_SEQ);
		}
		Instant latest = this.clock.instant().plus(MAX_CLOCK_AHEAD);
		if (reading.sampledAt() == null || reading.sampledAt().isBefore(EARLIEST)
				|| reading.sampledAt().isAfter(latest)) {
			reasons.add(SAMPLED_AT_OUT_OF_RANGE);
		}
		if (reading.windowMs() < 1 || reading.windowMs() > MAX_WINDOW_MS) {
			reasons.add("windowMs must be between 1 and " + MAX_WINDOW_MS);
		}
		checkRange(reasons, "rms", reading.rms(), 0, Reading.FULL_SCALE);
		checkRange(reasons, "dbfs", reading.dbfs(), Reading.DBFS_FLOOR, 0);
		checkRange(reasons, "peak", reading.peak(), 0, Reading.FULL_SCALE);
		if (reading.source() == null || !SOURCE.matcher(reading.source()).matches()) {
			reasons.add("source must match " + SOURCE.pattern());
		}
		if (reading.levels() != null) {
			validateLevels(reasons, reading.levels());
		}
		return reasons;
	}

	/** Each level finite and believable for its scale, and the statistics in the order their definitions give. */
	private static void validateLevels(List<String> reasons, SoundLevels levels) {
		int before = reasons.size();
		String scale = levels.calibrated() ? " (calibrated)" : " (uncalibrated)";
		checkRange(reasons, "laeq" + scale, levels.laeq(), SoundLevels.FLOOR, levels.max());
		checkRange(reasons, "lafmax" + scale, levels.lafmax(), SoundLevels.FLOOR, levels.max());
		checkRange(reasons, "lafmin" + scale, levels.lafmin(), SoundLevels.FLOOR, levels.max());
		checkRange(reasons, "laf10" + scale, levels.laf10(), SoundLevels.FLOOR, levels.max());
		checkRange(reasons, "laf50" + scale, levels.laf50(), SoundLevels.FLOOR, levels.max());
		checkRange(reasons, "laf90" + scale, levels.laf90(), SoundLevels.FLOOR, levels.max());
		boolean ordered = levels.lafmin() <= levels.laf90() && levels.laf90() <= levels.laf50()
				&& levels.laf50() <= levels.laf10() && levels.laf10() <= levels.lafmax();
		if (reasons.size() == before && !ordered) {
			reasons.add("levels must be ordered lafmin <= laf90 <= laf50 <= laf10 <= lafmax");
		}
	}

	private static void checkRange(List<String> reasons, String field, double value, double min, double max) {
		if (!Double.isFinite(value) || value < min || value > max) {
			reasons.add(field + " must be a finite number between " + min + " and " + max);
		}
	}

}
