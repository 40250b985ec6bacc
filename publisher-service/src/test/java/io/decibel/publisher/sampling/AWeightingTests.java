package io.decibel.publisher.sampling;

import java.util.Locale;
import java.util.stream.Stream;

import io.decibel.contract.SoundLevels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The A-weighting against IEC 61672-1: sines at the standard's frequencies, generated at 48 kHz and 16 kHz, measured
 * by the meter, against the standard's weighting and its class 1 acceptance limits; and the filter's response against
 * the analogue weighting it is designed from, at each rate (the figures docs/levels.md gives).
 */
class AWeightingTests {

	/**
	 * IEC 61672-1:2013, Table 3, at the exact base-ten frequencies behind the nominal ones: the A-weighting (dB) and
	 * the class 1 acceptance limits (+, -).
	 */
	static final Object[][] IEC_61672 = { { 31.5, 1000 * Math.pow(10, -15 / 10.0), -39.4, 2.0, 2.0 },
			{ 100.0, 100.0, -19.1, 1.5, 1.5 }, { 1000.0, 1000.0, 0.0, 1.1, 1.1 },
			{ 4000.0, 1000 * Math.pow(10, 6 / 10.0), 1.0, 1.6, 1.6 },
			{ 8000.0, 1000 * Math.pow(10, 9 / 10.0), -1.1, 2.1, 3.1 },
			{ 12500.0, 1000 * Math.pow(10, 11 / 10.0), -4.3, 3.0, 6.0 } };

	static Stream<Arguments> standardFrequencies() {
		Stream.Builder<Arguments> cases = Stream.builder();
		for (double rate : new double[] { 48_000, 16_000 }) {
			for (Object[] row : IEC_61672) {
				double frequency = (double) row[1];
				// a 16 kHz capture carries nothing above 8 kHz: 12.5 kHz is a 48 kHz case only
				if (frequency < rate / 2) {
					cases.add(arguments(rate, row[0], frequency, row[2], row[3], row[4]));
				}
			}
		}
		return cases.build();
	}

	/** The design's own goal at each rate, far inside class 1: what {@link #followsTheAnalogueWeightingAcrossTheBand} finds. */
	static double designTolerance(double rate) {
		return (rate >= 44_100) ? 0.05 : 0.2;
	}

	@ParameterizedTest(name = "{1} Hz at {0} Hz")
	@MethodSource("standardFrequencies")
	void weightsSinesAsIec61672WithinClass1(double rate, double nominal, double frequency, double standard,
			double above, double below) {
		// given: a sine at half of full scale, 4 s of it
		double amplitude = 0.5;
		short[] samples = TestSignals.sine(frequency, amplitude, 4, rate);
		SoundLevelMeter meter = new SoundLevelMeter(rate, null);

		// when: measured in 1 s windows, the first one left out (the filters settle in it)
		double energy = 0;
		for (int second = 0; second < 4; second++) {
			SoundLevels levels = meter.measure(TestSignals.slice(samples, second, 1, rate));
			energy += (second > 0) ? Math.pow(10, levels.laeq() / 10) / 3 : 0;
		}
		double weighting = TestSignals.db(energy) - TestSignals.db(amplitude * amplitude / 2);

		// then
		double analogue = AWeighting.analogueDb(frequency);
		System.out.printf(Locale.ROOT,
				"A-weighting at %.0f Hz, %.2f Hz: measured %+.2f dB, IEC 61672-1 %+.1f dB, analogue %+.3f dB,"
						+ " error %+.3f dB%n",
				rate, frequency, weighting, standard, analogue, weighting - analogue);
		assertThat(weighting).isBetween(standard - below, standard + above);
		// the design goal, far inside class 1
		assertThat(weighting).isCloseTo(analogue, within(designTolerance(rate)));
	}

	@ParameterizedTest(name = "at {0} Hz")
	@MethodSource
	void followsTheAnalogueWeightingAcrossTheBand(double rate, double upTo, double tolerance) {
		AWeighting weighting = AWeighting.design(rate);
		double worst = 0;
		double worstAt = 0;
		StringBuilder table = new StringBuilder();
		// the one-third-octave bands from 10 Hz up
		for (int band = -20; 1000 * Math.pow(10, band / 10.0) <= upTo; band++) {
			double frequency = 1000 * Math.pow(10, band / 10.0);
			double error = weighting.responseDb(frequency) - AWeighting.analogueDb(frequency);
			table.append(String.format(Locale.ROOT, " %.0f:%+.3f", frequency, error));
			if (Math.abs(error) > Math.abs(worst)) {
				worst = error;
				worstAt = frequency;
			}
		}
		System.out.printf(Locale.ROOT, "A-weighting at %.0f Hz, error by band (Hz:dB):%s; worst %+.3f dB at %.0f Hz%n",
				rate, table, worst, worstAt);
		assertThat(Math.abs(worst)).isLessThanOrEqualTo(tolerance);
	}

	static Stream<Arguments> followsTheAnalogueWeightingAcrossTheBand() {
		return Stream.of(arguments(48_000, 20_000, 0.05), arguments(44_100, 20_000, 0.15),
				arguments(32_000, 16_000, 0.4), arguments(22_050, 11_025, 0.3), arguments(16_000, 8_000, 0.2));
	}

	@Test
	void isZeroDecibelsAtOneKilohertzAtEveryRate() {
		for (double rate : new double[] { 8_000, 16_000, 22_050, 32_000, 44_100, 48_000, 96_000 }) {
			assertThat(AWeighting.design(rate).responseDb(1000)).isCloseTo(0, within(1e-9));
		}
	}

	@Test
	void refusesRatesTooLowForTheBand() {
		assertThatIllegalArgumentException().isThrownBy(() -> AWeighting.design(4_000));
	}

}
