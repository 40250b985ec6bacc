package io.decibel.contract;

import java.util.Locale;

/**
 * A sound level meter's reading of one window (wire contract v1.1): A-weighted levels in dB, as IEC 61672-1 defines
 * them. With a calibrated device they are dB SPL re 20 µPa; without, dB relative to digital full scale (dB(A)FS:
 * 0 dB is the RMS of a full-scale square wave, as {@link Reading#dbfs()} is).
 *
 * @param laeq the equivalent continuous A-weighted level over the window (the energy mean)
 * @param lafmax the highest Fast (125 ms) time-weighted A level in the window
 * @param lafmin the lowest Fast time-weighted A level in the window
 * @param laf10 the Fast level exceeded 10 % of the window
 * @param laf50 the Fast level exceeded half of the window
 * @param laf90 the Fast level exceeded 90 % of the window: the background
 * @param calibrated whether the levels are dB SPL (a calibration offset applied) or relative to full scale
 */
public record SoundLevels(double laeq, double lafmax, double lafmin, double laf10, double laf50, double laf90,
		boolean calibrated) {

	/** The lowest level carried, calibrated or not: silence, as {@link Reading#DBFS_FLOOR} is for {@code dbfs}. */
	public static final double FLOOR = Reading.DBFS_FLOOR;

	/**
	 * The loudest uncalibrated level that can come out of 16-bit samples: a full-scale square wave is 0 dB, the
	 * A-weighting lifts no frequency by more than 1.3 dB, and the filters' overshoot on a step stays well below this.
	 */
	public static final double MAX_FULL_SCALE = 10.0;

	/** The loudest calibrated level believed: about where sound in air stops being sound. */
	public static final double MAX_SPL = 200.0;

	/** The highest level a reading of this kind can carry. */
	public double max() {
		return this.calibrated ? MAX_SPL : MAX_FULL_SCALE;
	}

	/** The unit the levels are in, as people read it: {@code dB(A)} or {@code dB(A)FS}. */
	public String unit() {
		return this.calibrated ? "dB(A)" : "dB(A)FS";
	}

	/** The levels as a person reads them: {@code LAeq 54.2 dB(A) LAFmax 61.0 LAF90 48.3}. */
	public String summary() {
		return String.format(Locale.ROOT, "LAeq %.1f %s LAFmax %.1f LAF90 %.1f", this.laeq, unit(), this.lafmax,
				this.laf90);
	}

}
