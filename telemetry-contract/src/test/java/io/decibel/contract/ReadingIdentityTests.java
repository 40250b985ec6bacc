package io.decibel.contract;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The identity a {@code CONFLICT} names the holder of a seq by: the same reading has the same digest however it
 * travelled, and another reading another digest.
 */
class ReadingIdentityTests {

	static final Instant SAMPLED = Instant.parse("2026-11-30T04:00:00.123456789Z");

	static final SoundLevels LEVELS = new SoundLevels(54.2, 61.0, 45.5, 58.0, 52.5, 48.3, true);

	static final Reading READING = new Reading("dev-1", 3, SAMPLED, 1000, 1234.5, -28.5, 4000, "microphone",
			LEVELS);

	@Test
	void digestsTheCanonicalContentAsTheContractWritesIt() {
		// the canonical text and its SHA-256, as another implementation (Python's struct and hashlib) gives them
		assertThat(ReadingIdentity.canonical(READING)).isEqualTo("""
				sampledAt=1796011200123456
				windowMs=1000
				rms=40934a0000000000
				dbfs=c03c800000000000
				peak=40af400000000000
				source=microphone
				laeq=404b19999999999a
				lafmax=404e800000000000
				lafmin=4046c00000000000
				laf10=404d000000000000
				laf50=404a400000000000
				laf90=4048266666666666
				calibrated=true
				""");
		assertThat(ReadingIdentity.digest(READING))
			.isEqualTo("a2359cee54b784e02eec867c3e92dd511e7167a5a8b35c4d87040acd4cd2b1a3");
		assertThat(ReadingIdentity.digest(withLevels(READING, null)))
			.isEqualTo("dd4d6fbe7325eebd326acf817b1d40857175970b04bb4bf4d74ef9d5b94ee077");
		assertThat(ReadingIdentity.of(READING).sampledAt()).isEqualTo(Instant.parse("2026-11-30T04:00:00.123456Z"));
	}

	@Test
	void givesTheSameReadingTheSameIdentityUnderAnySeqAndAfterTheWire() {
		TelemetryCodec codec = new TelemetryCodec(new ReadingValidator(Clock.fixed(SAMPLED, ZoneOffset.UTC)));
		// doubles whose shortest decimal form has 17 digits, and one that is not the sum it looks like
		Reading awkward = new Reading("dev-1", 3, SAMPLED, 1000, 0.1 + 0.2, 20 * Math.log10(1234.5 / 32768), 1 / 3.0,
				"microphone", new SoundLevels(Math.PI, Math.PI + 1e-13, -Math.E, 1.0, 0.5, Math.nextUp(0.25), false));

		for (Reading reading : List.of(READING, withLevels(READING, null), awkward)) {
			ReadingIdentity identity = ReadingIdentity.of(reading);
			Reading sentAndRead = codec.decodeReading(codec.encode(reading)).reading();

			assertThat(ReadingIdentity.of(sentAndRead)).isEqualTo(identity);
			assertThat(ReadingIdentity.of(reading.withSeq(42))).isEqualTo(identity);
			assertThat(ReadingIdentity.of(new Reading("dev-2", 3, reading.sampledAt(), reading.windowMs(),
					reading.rms(), reading.dbfs(), reading.peak(), reading.source(), reading.levels())))
				.isEqualTo(identity);
			assertThat(identity.names(sentAndRead)).isTrue();
		}
		// the table keeps microseconds, and takes -0.0 for 0.0, as the relay's duplicate check does
		assertThat(ReadingIdentity.of(withSampledAt(READING, Instant.parse("2026-11-30T04:00:00.123456001Z"))))
			.isEqualTo(ReadingIdentity.of(READING));
		assertThat(ReadingIdentity.of(withRms(READING, -0.0))).isEqualTo(ReadingIdentity.of(withRms(READING, 0.0)));
	}

	@Test
	void givesAnyChangeOfContentAnotherDigest() {
		List<UnaryOperator<Reading>> changes = List.of(
				(r) -> withSampledAt(r, r.sampledAt().plusNanos(1_000)),
				(r) -> withSampledAt(r, r.sampledAt().plusSeconds(3600)),
				(r) -> new Reading(r.deviceId(), r.seq(), r.sampledAt(), 999, r.rms(), r.dbfs(), r.peak(), r.source(),
						r.levels()),
				(r) -> withRms(r, Math.nextUp(r.rms())),
				(r) -> new Reading(r.deviceId(), r.seq(), r.sampledAt(), r.windowMs(), r.rms(), -28.4, r.peak(),
						r.source(), r.levels()),
				(r) -> new Reading(r.deviceId(), r.seq(), r.sampledAt(), r.windowMs(), r.rms(), r.dbfs(), 4001,
						r.source(), r.levels()),
				(r) -> new Reading(r.deviceId(), r.seq(), r.sampledAt(), r.windowMs(), r.rms(), r.dbfs(), r.peak(),
						"synthetic", r.levels()),
				// the same numbers in other fields
				(r) -> new Reading(r.deviceId(), r.seq(), r.sampledAt(), r.windowMs(), r.dbfs(), r.rms(), r.peak(),
						r.source(), r.levels()),
				(r) -> withLevels(r, null),
				(r) -> withLevels(r, new SoundLevels(54.3, 61.0, 45.5, 58.0, 52.5, 48.3, true)),
				(r) -> withLevels(r, new SoundLevels(54.2, 61.1, 45.5, 58.0, 52.5, 48.3, true)),
				(r) -> withLevels(r, new SoundLevels(54.2, 61.0, 45.4, 58.0, 52.5, 48.3, true)),
				(r) -> withLevels(r, new SoundLevels(54.2, 61.0, 45.5, 58.1, 52.5, 48.3, true)),
				(r) -> withLevels(r, new SoundLevels(54.2, 61.0, 45.5, 58.0, 52.6, 48.3, true)),
				(r) -> withLevels(r, new SoundLevels(54.2, 61.0, 45.5, 58.0, 52.5, 48.4, true)),
				(r) -> withLevels(r, new SoundLevels(54.2, 61.0, 45.5, 58.0, 52.5, 48.3, false)),
				(r) -> withLevels(r, new SoundLevels(61.0, 54.2, 45.5, 58.0, 52.5, 48.3, true)));

		String digest = ReadingIdentity.digest(READING);
		for (UnaryOperator<Reading> change : changes) {
			Reading changed = change.apply(READING);

			assertThat(ReadingIdentity.digest(changed)).as("%s", changed).isNotEqualTo(digest);
			assertThat(ReadingIdentity.of(READING).names(changed)).as("%s", changed).isFalse();
		}
	}

	private static Reading withSampledAt(Reading r, Instant sampledAt) {
		return new Reading(r.deviceId(), r.seq(), sampledAt, r.windowMs(), r.rms(), r.dbfs(), r.peak(), r.source(),
				r.levels());
	}

	private static Reading withRms(Reading r, double rms) {
		return new Reading(r.deviceId(), r.seq(), r.sampledAt(), r.windowMs(), rms, r.dbfs(), r.peak(), r.source(),
				r.levels());
	}

	private static Reading withLevels(Reading r, SoundLevels levels) {
		return new Reading(r.deviceId(), r.seq(), r.sampledAt(), r.windowMs(), r.rms(), r.dbfs(), r.peak(), r.source(),
				levels);
	}

}
