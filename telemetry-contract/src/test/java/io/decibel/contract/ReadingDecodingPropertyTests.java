package io.decibel.contract;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzing the decoder on top of the fixed corpus in {@link ReadingDecodingTests}: whatever bytes arrive, decoding
 * answers with a reading or with reasons — never an exception, never a silent nothing.
 */
class ReadingDecodingPropertyTests {

	private static final Instant NOW = Instant.parse("2026-01-31T12:00:00Z");

	private final TelemetryCodec codec = new TelemetryCodec(new ReadingValidator(Clock.fixed(NOW, ZoneOffset.UTC)));

	@Property(tries = 2000)
	void anyBytesDecodeToAReadingOrToReasons(@ForAll @Size(max = 9000) byte[] payload) {
		assertExplained(this.codec.decodeReading(payload));
	}

	@Property(tries = 2000)
	void anyTextDecodesToAReadingOrToReasons(@ForAll @Size(max = 400) String text) {
		assertExplained(this.codec.decodeReading(text.getBytes(StandardCharsets.UTF_8)));
	}

	@Property(tries = 1000)
	void everyValidReadingSurvivesTheWire(@ForAll("readings") Reading reading) {
		DecodedReading decoded = this.codec.decodeReading(this.codec.encode(reading));

		assertThat(decoded.isValid()).as(decoded.reason()).isTrue();
		assertThat(decoded.reading()).isEqualTo(reading);
	}

	@Property(tries = 2000)
	void aDamagedReadingIsRejectedWithReasonsOrStillValid(@ForAll("readings") Reading reading,
			@ForAll @IntRange(min = 0, max = 400) int position, @ForAll char replacement,
			@ForAll @IntRange(min = 0, max = 2) int damage) {
		// given a valid payload, truncated, with one character replaced, or with one removed
		String json = new String(this.codec.encode(reading), StandardCharsets.UTF_8);
		int at = Math.min(position, json.length() - 1);
		String damaged = switch (damage) {
			case 0 -> json.substring(0, at);
			case 1 -> json.substring(0, at) + replacement + json.substring(at + 1);
			default -> json.substring(0, at) + json.substring(at + 1);
		};

		// when
		DecodedReading decoded = this.codec.decodeReading(damaged.getBytes(StandardCharsets.UTF_8));

		// then
		assertExplained(decoded);
		if (decoded.isValid()) {
			assertThat(new ReadingValidator(Clock.fixed(NOW, ZoneOffset.UTC)).validate(decoded.reading())).isEmpty();
		}
	}

	@Property(tries = 1000)
	void aFieldOfTheWrongKindIsNamedInTheReason(@ForAll("readings") Reading reading,
			@ForAll("fields") String field, @ForAll("jsonValues") String value) {
		String json = new String(this.codec.encode(reading), StandardCharsets.UTF_8);
		String replaced = json.replaceFirst("\"" + field + "\":(\"[^\"]*\"|[^,}]+)",
				"\"" + field + "\":" + java.util.regex.Matcher.quoteReplacement(value));

		DecodedReading decoded = this.codec.decodeReading(replaced.getBytes(StandardCharsets.UTF_8));

		assertThat(decoded.isValid()).isFalse();
		assertThat(decoded.reason()).contains(field);
	}

	private static void assertExplained(DecodedReading decoded) {
		if (decoded.isValid()) {
			assertThat(decoded.reasons()).isEmpty();
		}
		else {
			assertThat(decoded.reasons()).isNotEmpty().allSatisfy((reason) -> assertThat(reason).isNotBlank()
				.doesNotContain("\n"));
			assertThat(decoded.reading()).isNull();
		}
	}

	@Provide
	Arbitrary<Reading> readings() {
		Arbitrary<String> deviceIds = Arbitraries.strings()
			.withCharRange('a', 'z')
			.withCharRange('A', 'Z')
			.withCharRange('0', '9')
			.withChars('_', '-')
			.ofMinLength(1)
			.ofMaxLength(64);
		Arbitrary<Long> seqs = Arbitraries.longs().between(0, ReadingValidator.MAX_SEQ);
		Arbitrary<Instant> sampledAt = Arbitraries.longs()
			.between(ReadingValidator.EARLIEST.toEpochMilli(), NOW.toEpochMilli())
			.map(Instant::ofEpochMilli);
		Arbitrary<Long> windows = Arbitraries.longs().between(1, ReadingValidator.MAX_WINDOW_MS);
		Arbitrary<Double> rms = Arbitraries.doubles().between(0, Reading.FULL_SCALE);
		Arbitrary<Double> dbfs = Arbitraries.doubles().between(Reading.DBFS_FLOOR, 0);
		Arbitrary<String> sources = Arbitraries.of("microphone", "synthetic", "wav", "wav:street.wav");
		return Combinators.combine(deviceIds, seqs, sampledAt, windows, rms, dbfs, rms, sources)
			.as(Reading::new);
	}

	@Provide
	Arbitrary<String> fields() {
		return Arbitraries.of("deviceId", "seq", "sampledAt", "windowMs", "rms", "dbfs", "peak", "source");
	}

	/** JSON values that no field of a reading accepts. */
	@Provide
	Arbitrary<String> jsonValues() {
		return Arbitraries.of("null", "true", "[]", "{}", "[1,2]", "{\"a\":1}", "\"\"");
	}

}
