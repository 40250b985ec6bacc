package io.decibel.publisher.sampling;

import io.decibel.contract.Reading;

/**
 * The level of one window of 16-bit samples.
 *
 * @param rms root mean square of the samples, 0..32768
 * @param dbfs {@code 20·log10(rms/32768)}, never below {@link Reading#DBFS_FLOOR}
 * @param peak the largest absolute sample, 0..32768
 */
public record NoiseLevel(double rms, double dbfs, double peak) {

	public static NoiseLevel of(short[] samples) {
		if (samples.length == 0) {
			return new NoiseLevel(0, Reading.DBFS_FLOOR, 0);
		}
		double sumOfSquares = 0;
		int peak = 0;
		for (short sample : samples) {
			sumOfSquares += (double) sample * sample;
			// widened first: |-32768| does not fit in a short
			peak = Math.max(peak, Math.abs((int) sample));
		}
		double rms = Math.sqrt(sumOfSquares / samples.length);
		return new NoiseLevel(rms, dbfs(rms), peak);
	}

	/** Silence would be -Infinity, which JSON cannot carry: it is reported as the contract's floor. */
	static double dbfs(double rms) {
		if (!(rms > 0)) {
			return Reading.DBFS_FLOOR;
		}
		double dbfs = 20 * Math.log10(rms / Reading.FULL_SCALE);
		return Math.min(0, Math.max(Reading.DBFS_FLOOR, dbfs));
	}

}
