package io.decibel.contract;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

/**
 * Contract v1.1's sound levels: fields of the reading itself, all of them or none, each finite and believable for its
 * scale, the statistics in order; a v1 reading stays what it was.
 */
class SoundLevelsContractTests {

	private static final Instant NOW = Instant.parse("2026-01-31T12:00:00Z");

	private static final SoundLevels LEVELS = new SoundLevels(54.2, 61.0, 45.5, 58.0, 52.5, 48.3, true);

	private final TelemetryCodec codec = new TelemetryCodec(new ReadingValidator(Clock.fixed(NOW, ZoneOffset.UTC)));

	private final ReadingValidator validator = new ReadingValidator(Clock.fixed(NOW, ZoneOffset.UTC));

	private final JsonMapper json = JsonMapper.builder().build();

	@Test
	void encodesTheLevelsAsFieldsOfTheReading() {
		JsonNode encoded = this.json.readTree(this.codec.encode(reading(LEVELS)));

		assertThat(encoded.propertyNames()).containsExactlyInAnyOrder("deviceId", "seq", "sampledAt", "windowMs",
				"rms", "dbfs", "peak", "source", "laeq", "lafmax", "lafmin", "laf10", "laf50", "laf90", "calibrated");
		assertThat(encoded.get("laeq").doubleValue()).isEqualTo(54.2);
		assertThat(encoded.get("laf90").doubleValue()).isEqualTo(48.3);
		assertThat(encoded.get("calibrated").booleanValue()).isTrue();
	}

	@Test
	void roundTripsAReadingWithLevels() {
		Reading reading = reading(new SoundLevels(-31.5, -25.0, -40.0, -28.0, -32.0, -38.5, false));

		DecodedReading decoded = this.codec.decodeReading(this.codec.encode(reading));

		assertThat(decoded.reasons()).isEmpty();
		assertThat(decoded.reading()).isEqualTo(reading);
	}

	@Test
	void aV1ReadingHasNoLevelsAndStaysValid() {
		String v1 = """
				{"deviceId":"dev-1","seq":1,"sampledAt":"2026-01-31T11:59:59Z","windowMs":1000,"rms":100.0,
				"dbfs":-50.3,"peak":400.0,"source":"synthetic"}""";

		DecodedReading decoded = this.codec.decodeReading(v1.getBytes(StandardCharsets.UTF_8));

		assertThat(decoded.reasons()).isEmpty();
		assertThat(decoded.reading().levels()).isNull();
		assertThat(this.json.readTree(this.codec.encode(decoded.reading())).has("laeq")).isFalse();
	}

	@Test
	void refusesSomeLevelsWithoutTheOthers() {
		String partial = """
				{"deviceId":"dev-1","seq":1,"sampledAt":"2026-01-31T11:59:59Z","windowMs":1000,"rms":100.0,
				"dbfs":-50.3,"peak":400.0,"source":"synthetic","laeq":54.2,"lafmax":60.0}""";

		DecodedReading decoded = this.codec.decodeReading(partial.getBytes(StandardCharsets.UTF_8));

		assertThat(decoded.isValid()).isFalse();
		assertThat(decoded.reason()).startsWith("levels must come all together or not at all");
		assertThat(decoded.deviceId()).isEqualTo("dev-1");
		assertThat(decoded.seq()).isEqualTo(1);
	}

	@Test
	void refusesLevelsOfTheWrongType() {
		String wrong = """
				{"deviceId":"dev-1","seq":1,"sampledAt":"2026-01-31T11:59:59Z","windowMs":1000,"rms":100.0,
				"dbfs":-50.3,"peak":400.0,"source":"synthetic","laeq":"loud","lafmax":60.0,"lafmin":40.0,
				"laf10":55.0,"laf50":50.0,"laf90":45.0,"calibrated":"yes"}""";

		DecodedReading decoded = this.codec.decodeReading(wrong.getBytes(StandardCharsets.UTF_8));

		assertThat(decoded.reasons()).containsExactly("laeq must be a number", "calibrated must be true or false");
	}

	@ParameterizedTest
	@MethodSource
	void acceptsLevelsOnTheBoundary(SoundLevels levels) {
		assertThat(this.validator.validate(reading(levels))).isEmpty();
	}

	static Stream<Arguments> acceptsLevelsOnTheBoundary() {
		return Stream.of(argumentSet("silence, uncalibrated", new SoundLevels(-120, -120, -120, -120, -120, -120, false)),
				argumentSet("uncalibrated at its highest", new SoundLevels(10, 10, 10, 10, 10, 10, false)),
				argumentSet("calibrated at its highest", new SoundLevels(200, 200, 200, 200, 200, 200, true)),
				argumentSet("a steady tone: every statistic equal", new SoundLevels(94, 94, 94, 94, 94, 94, true)),
				argumentSet("laeq above lafmax (a click in a short window)",
						new SoundLevels(70, 65, 40, 60, 50, 45, true)));
	}

	@ParameterizedTest
	@MethodSource
	void refusesLevelsThatAreNoSoundLevelMetersReading(SoundLevels levels, String reason) {
		assertThat(this.validator.validate(reading(levels))).singleElement().asString().startsWith(reason);
	}

	static Stream<Arguments> refusesLevelsThatAreNoSoundLevelMetersReading() {
		return Stream.of(
				argumentSet("laeq NaN", new SoundLevels(Double.NaN, 61, 45, 58, 52, 48, true),
						"laeq (calibrated) must be a finite number between -120.0 and 200.0"),
				argumentSet("lafmax infinite", new SoundLevels(54, Double.POSITIVE_INFINITY, 45, 58, 52, 48, true),
						"lafmax (calibrated) must be a finite number"),
				argumentSet("uncalibrated above full scale", new SoundLevels(-5, 10.5, -20, -8, -10, -15, false),
						"lafmax (uncalibrated) must be a finite number between -120.0 and 10.0"),
				argumentSet("below the floor", new SoundLevels(-121, -100, -120, -110, -115, -120, false),
						"laeq (uncalibrated) must be a finite number between -120.0"),
				argumentSet("laf90 below lafmin", new SoundLevels(54, 61, 45, 58, 52, 44.9, true),
						"levels must be ordered lafmin <= laf90 <= laf50 <= laf10 <= lafmax"),
				argumentSet("laf50 below laf90", new SoundLevels(54, 61, 45, 58, 48, 48.3, true),
						"levels must be ordered"),
				argumentSet("laf10 below laf50", new SoundLevels(54, 61, 45, 52, 52.5, 48, true),
						"levels must be ordered"),
				argumentSet("lafmax below laf10", new SoundLevels(54, 57.9, 45, 58, 52, 48, true),
						"levels must be ordered"));
	}

	private static Reading reading(SoundLevels levels) {
		return new Reading("dev-1", 7, NOW.minusMillis(500), 1000, 1234.5, -28.5, 20000.0, "microphone", levels);
	}

}
