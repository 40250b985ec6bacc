package io.decibel.publisher.sampling;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.decibel.contract.SoundLevels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The Fast time weighting and the statistics of a window, on 1 kHz tones switched on and off (where the A-weighting is
 * 0 dB, so the levels are the tone's own): what the 125 ms exponential predicts, at 48 kHz and at 16 kHz. And pink
 * noise, whose A-weighted level follows from its spectrum.
 */
class SoundLevelMeterTests {

	/** The Fast time constant's decay, dB/s: 10·log10(e) / 0.125 s (IEC 61672-1: at least 34.7 dB/s). */
	static final double FAST_DECAY = 10 * Math.log10(Math.E) / 0.125;

	static final double LOUD = 0.5;

	/** 40 dB below the loud tone: a background that keeps every level finite. */
	static final double QUIET = 0.005;

	@ParameterizedTest(name = "at {0} Hz")
	@ValueSource(doubles = { 48_000, 16_000 })
	void aToneSwitchedOnAndOffGivesTheFastLevelsTheTimeConstantPredicts(double rate) {
		// given: 10 s of a 1 kHz tone, quiet for 4 s, loud for 2 s, quiet for 4 s, measured as one window
		short[] samples = TestSignals.gatedSine(1000, (t) -> (t >= 4 && t < 6) ? LOUD : QUIET, 10, rate);
		SoundLevelMeter meter = new SoundLevelMeter(rate, null);

		// when
		SoundLevels levels = meter.measure(samples);

		// then: the loud level reached (2 s is 16 time constants), the quiet one before and after
		double loud = TestSignals.db(LOUD * LOUD / 2);
		double quiet = TestSignals.db(QUIET * QUIET / 2);
		assertThat(levels.lafmax()).isCloseTo(loud, within(0.05));
		assertThat(levels.lafmin()).isCloseTo(quiet, within(0.05));
		// loud within 0.1 dB after 0.47 s of the 2 s (the rise): more than 10 % of the window
		assertThat(levels.laf10()).isCloseTo(loud, within(0.1));
		// back to quiet within 0.1 dB 1.33 s after the tone stops (34.7 dB/s through 40 dB): 66 % of the window
		assertThat(levels.laf50()).isCloseTo(quiet, within(0.1));
		assertThat(levels.laf90()).isCloseTo(quiet, within(0.1));
		// the energy mean: 2 s loud, 8 s quiet
		assertThat(levels.laeq()).isCloseTo(TestSignals.db((2 * LOUD * LOUD / 2 + 8 * QUIET * QUIET / 2) / 10),
				within(0.05));
	}

	@ParameterizedTest(name = "at {0} Hz")
	@ValueSource(doubles = { 48_000, 16_000 })
	void decaysAtTheFastRateAcrossWindowEdges(double rate) {
		// given: a loud tone for 2 s, then a background 60 dB down, in 100 ms windows
		double background = LOUD / 1000;
		short[] samples = TestSignals.gatedSine(1000, (t) -> (t < 2) ? LOUD : background, 3, rate);
		SoundLevelMeter meter = new SoundLevelMeter(rate, null);

		// when
		List<SoundLevels> windows = new ArrayList<>();
		for (int window = 0; window < 30; window++) {
			windows.add(meter.measure(TestSignals.slice(samples, window * 0.1, 0.1, rate)));
		}

		// then: each window after the switch ends (its LAFmin) 34.7 dB/s further down, window edges or not
		double loud = TestSignals.db(LOUD * LOUD / 2);
		for (int window = 20; window < 25; window++) {
			double seconds = (window - 19) * 0.1;
			assertThat(windows.get(window).lafmin()).as("%.1f s after the switch", seconds)
				.isCloseTo(loud - FAST_DECAY * seconds, within(0.1));
			// and it started where the window before ended
			assertThat(windows.get(window).lafmax()).isCloseTo(windows.get(window - 1).lafmin(), within(0.01));
		}
	}

	/**
	 * IEC 61672-1's tonebursts: a 4 kHz burst of duration T peaks at {@code 10·log10(1 - e^(-T/τ))} re the steady tone's
	 * A level (200 ms: -1.0 dB, 2 ms: -18.0 dB, 0.25 ms: -27.0 dB), within class 1's limits (±0.5, +1.0/-1.5 and
	 * +1.0/-3.0 dB); each burst whole cycles, from a zero crossing to a zero crossing.
	 */
	@ParameterizedTest(name = "at {0} Hz")
	@ValueSource(doubles = { 48_000, 16_000 })
	void toneburstsPeakWhereTheFastTimeConstantPutsThem(double rate) {
		double steady = new SoundLevelMeter(rate, null).measure(TestSignals.sine(4000, LOUD, 1, rate)).laeq();
		double[][] bursts = { { 0.2, 0.5, 0.5 }, { 0.002, 1.0, 1.5 }, { 0.00025, 1.0, 3.0 } };
		for (double[] burst : bursts) {
			// given: 0.5 s of a background 70 dB down, then the burst, then the background again
			double duration = burst[0];
			double background = LOUD / 3162;
			short[] samples = TestSignals.gatedSine(4000,
					(t) -> (t >= 0.5 && t < 0.5 + duration - 1e-9) ? LOUD : background, 1.5, rate);

			// when
			SoundLevels levels = new SoundLevelMeter(rate, null).measure(samples);

			// then
			double expected = 10 * Math.log10(1 - Math.exp(-duration / 0.125));
			double response = levels.lafmax() - steady;
			System.out.printf(Locale.ROOT,
					"Toneburst of %.2f ms at %.0f Hz: LAFmax %+.2f dB re the steady tone, IEC 61672-1 %+.2f dB%n",
					duration * 1000, rate, response, expected);
			assertThat(response).as("%.5f s burst", duration).isBetween(expected - burst[2], expected + burst[1]);
		}
	}

	@ParameterizedTest(name = "at {0} Hz")
	@ValueSource(doubles = { 48_000, 16_000 })
	void pinkNoiseGivesTheALevelItsSpectrumPredicts(double rate) {
		// given: pink noise from 20 Hz to 20 kHz (to the Nyquist frequency at 16 kHz), at -20 dB re full scale
		double[] power = new double[1 << 18];
		double high = Math.min(20_000, rate / 2);
		short[] samples = TestSignals.pinkNoise(18, 20, high, 0.1, rate, 7, power);
		double weighted = 0;
		double unweighted = 0;
		for (int bin = 1; bin < power.length / 2; bin++) {
			double frequency = bin * rate / power.length;
			weighted += power[bin] * Math.pow(10, AWeighting.analogueDb(frequency) / 10);
			unweighted += power[bin];
		}
		double meanSquare = 0;
		for (short sample : samples) {
			meanSquare += (sample / 32768.0) * (sample / 32768.0) / samples.length;
		}
		double expected = TestSignals.db(meanSquare) + TestSignals.db(weighted / unweighted);
		SoundLevelMeter meter = new SoundLevelMeter(rate, null);

		// when: it plays twice (it is periodic), the second time measured
		meter.measure(samples);
		SoundLevels levels = meter.measure(samples);

		// then
		System.out.printf(Locale.ROOT, "Pink noise at %.0f Hz: LAeq %.2f dB(A)FS, expected %.2f, unweighted %.2f dBFS%n",
				rate, levels.laeq(), expected, TestSignals.db(meanSquare));
		assertThat(levels.laeq()).isCloseTo(expected, within(0.5));
		assertThat(levels.lafmin()).isLessThanOrEqualTo(levels.laf90());
		assertThat(levels.laf90()).isLessThanOrEqualTo(levels.laf50());
		assertThat(levels.laf50()).isLessThanOrEqualTo(levels.laf10());
		assertThat(levels.laf10()).isLessThanOrEqualTo(levels.lafmax());
	}

	@ParameterizedTest(name = "at {0} Hz")
	@ValueSource(doubles = { 48_000, 16_000 })
	void silenceReadsTheFloorAndAWindowShorterThanAStepStillHasItsLevels(double rate) {
		SoundLevelMeter meter = new SoundLevelMeter(rate, null);

		SoundLevels silence = meter.measure(new short[(int) rate]);
		SoundLevels tiny = meter.measure(TestSignals.sine(1000, LOUD, 0.002, rate));

		assertThat(silence).isEqualTo(new SoundLevels(-120, -120, -120, -120, -120, -120, false));
		assertThat(tiny.lafmin()).isLessThanOrEqualTo(tiny.laf90());
		assertThat(tiny.laf10()).isEqualTo(tiny.laf90());
		assertThat(tiny.laf10()).isLessThanOrEqualTo(tiny.lafmax());
	}

}
