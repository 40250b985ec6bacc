package io.decibel.contract;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

/**
 * The edges of the contract's ranges: the last accepted value and the first rejected one.
 */
class ReadingValidatorTests {

	private static final Instant NOW = Instant.parse("2026-01-31T12:00:00Z");

	private static final Reading VALID = new Reading("dev-1", 7, NOW.minusMillis(500), 500, 1234.5, -28.5, 20000.0,
			"synthetic");

	private final ReadingValidator validator = new ReadingValidator(Clock.fixed(NOW, ZoneOffset.UTC));

	@Test
	void acceptsAValidReading() {
		assertThat(this.validator.validate(VALID)).isEmpty();
	}

	@ParameterizedTest
	@MethodSource
	void acceptsValuesOnTheBoundary(Reading reading) {
		assertThat(this.validator.validate(reading)).isEmpty();
	}

	static Stream<Arguments> acceptsValuesOnTheBoundary() {
		return Stream.of(argumentSet("seq 0", withSeq(0)),
				argumentSet("seq 2^53-1", withSeq(ReadingValidator.MAX_SEQ)),
				argumentSet("dbfs exactly -120", withDbfs(-120.0)), argumentSet("dbfs exactly 0", withDbfs(0.0)),
				argumentSet("rms 0", withRms(0.0)), argumentSet("rms full scale", withRms(32768.0)),
				argumentSet("peak full scale", withPeak(32768.0)),
				argumentSet("deviceId of 64 characters", withDeviceId("d".repeat(64))),
				argumentSet("deviceId of 1 character", withDeviceId("d")),
				argumentSet("deviceId of every allowed kind of character", withDeviceId("AZaz09_-")),
				argumentSet("sampledAt 2000-01-01", withSampledAt(Instant.parse("2000-01-01T00:00:00Z"))),
				argumentSet("sampledAt exactly a day ahead", withSampledAt(NOW.plusSeconds(86_400))),
				argumentSet("windowMs 1", withWindowMs(1)), argumentSet("windowMs an hour", withWindowMs(3_600_000)),
				argumentSet("source with a colon and a dot", withSource("wav:noise.wav")));
	}

	@ParameterizedTest
	@MethodSource
	void rejectsValuesJustBeyondTheBoundary(Reading reading, String reason) {
		assertThat(this.validator.validate(reading)).singleElement().asString().startsWith(reason);
	}

	static Stream<Arguments> rejectsValuesJustBeyondTheBoundary() {
		return Stream.of(argumentSet("seq -1", withSeq(-1), "seq must be between 0 and 9007199254740991"),
				argumentSet("seq 2^53", withSeq(ReadingValidator.MAX_SEQ + 1), "seq must be between"),
				argumentSet("dbfs just below -120", withDbfs(-120.000001),
						"dbfs must be a finite number between -120.0 and 0.0"),
				argumentSet("dbfs just above 0", withDbfs(0.000001), "dbfs must be a finite number"),
				argumentSet("dbfs -Infinity", withDbfs(Double.NEGATIVE_INFINITY), "dbfs must be a finite number"),
				argumentSet("rms NaN", withRms(Double.NaN), "rms must be a finite number between 0.0 and 32768.0"),
				argumentSet("rms just above full scale", withRms(32768.001), "rms must be a finite number"),
				argumentSet("peak just above full scale", withPeak(32768.001), "peak must be a finite number"),
				argumentSet("deviceId of 65 characters", withDeviceId("d".repeat(65)), "deviceId must match"),
				argumentSet("deviceId null", withDeviceId(null), "deviceId must match"),
				argumentSet("sampledAt just before 2000", withSampledAt(Instant.parse("1999-12-31T23:59:59Z")),
						"sampledAt must be between"),
				argumentSet("sampledAt just over a day ahead", withSampledAt(NOW.plusSeconds(86_401)),
						"sampledAt must be between"),
				argumentSet("sampledAt null", withSampledAt(null), "sampledAt must be between"),
				argumentSet("windowMs 0", withWindowMs(0), "windowMs must be between 1 and 3600000"),
				argumentSet("windowMs just over an hour", withWindowMs(3_600_001), "windowMs must be between"),
				argumentSet("source null", withSource(null), "source must match"),
				argumentSet("source of 65 characters", withSource("s".repeat(65)), "source must match"));
	}

	@Test
	void namesEveryFieldThatIsOff() {
		Reading reading = new Reading("dev/1", -1, Instant.EPOCH, 0, -1, 1, -1, "");

		assertThat(this.validator.validate(reading)).hasSize(8)
			.anySatisfy((reason) -> assertThat(reason).startsWith("deviceId"))
			.anySatisfy((reason) -> assertThat(reason).startsWith("seq"))
			.anySatisfy((reason) -> assertThat(reason).startsWith("sampledAt"))
			.anySatisfy((reason) -> assertThat(reason).startsWith("windowMs"))
			.anySatisfy((reason) -> assertThat(reason).startsWith("rms"))
			.anySatisfy((reason) -> assertThat(reason).startsWith("dbfs"))
			.anySatisfy((reason) -> assertThat(reason).startsWith("peak"))
			.anySatisfy((reason) -> assertThat(reason).startsWith("source"));
	}

	@Test
	void judgesTheFutureByItsOwnClock() {
		// given a reading a week ahead of the validator's clock
		Reading aWeekAhead = withSampledAt(NOW.plusSeconds(7 * 86_400));
		ReadingValidator aWeekLater = new ReadingValidator(Clock.fixed(NOW.plusSeconds(7 * 86_400), ZoneOffset.UTC));

		// then
		assertThat(this.validator.validate(aWeekAhead)).isNotEmpty();
		assertThat(aWeekLater.validate(aWeekAhead)).isEmpty();
	}

	@Test
	void tellsAWellFormedDeviceIdFromOneThatIsNot() {
		assertThat(ReadingValidator.isValidDeviceId("dev-1")).isTrue();
		assertThat(ReadingValidator.isValidDeviceId(null)).isFalse();
		assertThat(ReadingValidator.isValidDeviceId("dev-1\n")).isFalse();
	}

	private static Reading withDeviceId(String deviceId) {
		return new Reading(deviceId, VALID.seq(), VALID.sampledAt(), VALID.windowMs(), VALID.rms(), VALID.dbfs(),
				VALID.peak(), VALID.source());
	}

	private static Reading withSeq(long seq) {
		return new Reading(VALID.deviceId(), seq, VALID.sampledAt(), VALID.windowMs(), VALID.rms(), VALID.dbfs(),
				VALID.peak(), VALID.source());
	}

	private static Reading withSampledAt(Instant sampledAt) {
		return new Reading(VALID.deviceId(), VALID.seq(), sampledAt, VALID.windowMs(), VALID.rms(), VALID.dbfs(),
				VALID.peak(), VALID.source());
	}

	private static Reading withWindowMs(long windowMs) {
		return new Reading(VALID.deviceId(), VALID.seq(), VALID.sampledAt(), windowMs, VALID.rms(), VALID.dbfs(),
				VALID.peak(), VALID.source());
	}

	private static Reading withRms(double rms) {
		return new Reading(VALID.deviceId(), VALID.seq(), VALID.sampledAt(), VALID.windowMs(), rms, VALID.dbfs(),
				VALID.peak(), VALID.source());
	}

	private static Reading withDbfs(double dbfs) {
		return new Reading(VALID.deviceId(), VALID.seq(), VALID.sampledAt(), VALID.windowMs(), VALID.rms(), dbfs,
				VALID.peak(), VALID.source());
	}

	private static Reading withPeak(double peak) {
		return new Reading(VALID.deviceId(), VALID.seq(), VALID.sampledAt(), VALID.windowMs(), VALID.rms(),
				VALID.dbfs(), peak, VALID.source());
	}

	private static Reading withSource(String source) {
		return new Reading(VALID.deviceId(), VALID.seq(), VALID.sampledAt(), VALID.windowMs(), VALID.rms(),
				VALID.dbfs(), VALID.peak(), source);
	}

}
