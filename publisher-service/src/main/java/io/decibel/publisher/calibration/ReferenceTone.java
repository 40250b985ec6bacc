package io.decibel.publisher.calibration;

import io.decibel.contract.SoundLevels;

/**
 * A reference tone as an uncalibrated meter hears it, window after window, and the offset that makes it read its
 * known level. The tone is averaged by its energy over all windows but the first, in which the capture and the
 * filters settle. A tone that does not hold steady (the calibrator slipped off, someone spoke) shows as a wide
 * spread between the lowest and the highest Fast level.
 */
public final class ReferenceTone {

	private final double referenceLevel;

	private int windows;

	private double energy;

	private long samples;

	private double highest = Double.NEGATIVE_INFINITY;

	private double lowest = Double.POSITIVE_INFINITY;

	/** @param referenceLevel the tone's level, dB SPL (94 or 114 dB for an acoustic calibrator) */
	public ReferenceTone(double referenceLevel) {
		this.referenceLevel = referenceLevel;
	}

	/** One window of the tone, measured by an uncalibrated meter. */
	public void add(SoundLevels uncalibrated, int windowSamples) {
		if (uncalibrated.calibrated()) {
			throw new IllegalArgumentException("The reference tone is measured by an uncalibrated meter");
		}
		if (this.windows++ == 0) {
			return;
		}
		this.energy += Math.pow(10, uncalibrated.laeq() / 10) * windowSamples;
		this.samples += windowSamples;
		this.highest = Math.max(this.highest, uncalibrated.lafmax());
		this.lowest = Math.min(this.lowest, uncalibrated.lafmin());
	}

	/** Whether enough was heard: a window besides the first. */
	public boolean heard() {
		return this.samples > 0;
	}

	/** The tone's level re full scale, dB(A)FS. */
	public double measuredLevel() {
		return 10 * Math.log10(this.energy / this.samples);
	}

	/** What to add to levels re full scale for the tone to read its reference level. */
	public double offset() {
		return this.referenceLevel - measuredLevel();
	}

	/** How far the Fast level moved while the tone was heard, dB: a steady tone moves by a few hundredths. */
	public double spread() {
		return this.highest - this.lowest;
	}

	public double referenceLevel() {
		return this.referenceLevel;
	}

}
