package io.decibel.publisher.calibration;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import io.decibel.contract.SoundLevels;
import io.decibel.publisher.sampling.SoundLevelMeter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.within;

/**
 * Calibration on a generated 94 dB tone: the offset it gives makes the same tone read 94.0 dB, and it is kept in the
 * device's state directory.
 */
class ReferenceToneTests {

	@TempDir
	Path stateDir;

	@ParameterizedTest(name = "at {0} Hz")
	@ValueSource(doubles = { 48_000, 16_000 })
	void theOffsetOfA94DecibelToneMakesItRead94Decibels(double rate) {
		// given: a calibrator's 1 kHz tone as the microphone hands it over, at an arbitrary -26 dB re full scale
		short[] second = tone(rate, 0.07);
		SoundLevelMeter uncalibrated = new SoundLevelMeter(rate, null);
		ReferenceTone tone = new ReferenceTone(94.0);

		// when: 5 s of it recorded
		for (int i = 0; i < 5; i++) {
			tone.add(uncalibrated.measure(second), second.length);
		}

		// then: the offset, applied, reads the tone at 94.0 dB
		SoundLevelMeter calibrated = new SoundLevelMeter(rate, tone.offset());
		calibrated.measure(second);
		SoundLevels levels = calibrated.measure(second);
		assertThat(levels.calibrated()).isTrue();
		assertThat(levels.laeq()).isCloseTo(94.0, within(0.1));
		assertThat(levels.lafmax()).isCloseTo(94.0, within(0.1));
		assertThat(levels.laf90()).isCloseTo(94.0, within(0.1));
		assertThat(tone.spread()).isLessThan(0.1);
		assertThat(tone.offset()).isCloseTo(94.0 - 20 * Math.log10(0.07 / Math.sqrt(2)), within(0.05));
	}

	@Test
	void keepsTheOffsetInTheStateDirectory() throws Exception {
		// given
		ReferenceTone tone = new ReferenceTone(114.0);
		short[] second = tone(48_000, 0.25);
		SoundLevelMeter meter = new SoundLevelMeter(48_000, null);
		for (int i = 0; i < 3; i++) {
			tone.add(meter.measure(second), second.length);
		}
		CalibrationStore store = new CalibrationStore(this.stateDir, "dev-1");
		assertThat(store.offset()).isEmpty();

		// when
		store.save(tone, Instant.parse("2026-11-30T04:00:00Z"));

		// then
		assertThat(store.file()).isEqualTo(this.stateDir.resolve("dev-1.calibration"));
		assertThat(new CalibrationStore(this.stateDir, "dev-1").offset()).hasValueSatisfying(
				(offset) -> assertThat(offset).isCloseTo(tone.offset(), within(0.001)));
		assertThat(Files.readString(store.file())).contains("reference=114.00", "calibratedAt=2026-11-30T04\\:00\\:00Z");
		try (var files = Files.list(this.stateDir)) {
			assertThat(files).containsExactly(store.file());
		}
	}

	@Test
	void refusesAStoredCalibrationWithoutAnOffset() throws Exception {
		Files.writeString(this.stateDir.resolve("dev-1.calibration"), "reference=94\n");

		assertThatIllegalStateException().isThrownBy(() -> new CalibrationStore(this.stateDir, "dev-1").offset())
			.withMessageContaining("holds no offset");
	}

	private static short[] tone(double rate, double amplitude) {
		short[] samples = new short[(int) rate];
		for (int i = 0; i < samples.length; i++) {
			samples[i] = (short) Math.round(amplitude * 32768 * Math.sin(2 * Math.PI * 1000 * i / rate));
		}
		return samples;
	}

}
