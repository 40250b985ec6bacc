package io.decibel.publisher.sampling;

import java.util.Arrays;

import io.decibel.contract.SoundLevels;
import org.jspecify.annotations.Nullable;

/**
 * A sound level meter over a stream of 16-bit windows: A-weighting ({@link AWeighting}) at the stream's sample rate,
 * the Fast (125 ms) exponential time weighting, and per window the levels of contract v1.1 — the energy mean (LAeq),
 * the highest and lowest Fast level (LAFmax, LAFmin, over every sample) and the Fast levels exceeded 10, 50 and 90 %
 * of the window (LAF10, LAF50, LAF90, from the Fast level taken every {@value #STEP_MILLIS} ms).
 * <p>
 * Its state runs on from one window to the next, as a meter's does: the filters, the Fast level and the grid of the
 * 10 ms steps; a window edge is no event in the signal. The first window starts the Fast level at the energy mean of
 * its first 125 ms instead of at silence. Nothing is allocated per sample; one array of steps is kept, grown only
 * when a longer window comes.
 * <p>
 * Levels are dB re full scale (0 dB: the RMS of a full-scale square wave), plus the calibration offset when there is
 * one; either way clamped to what the contract carries. Not thread-safe: one meter per sampling thread.
 */
public final class SoundLevelMeter {

	static final double FAST_SECONDS = 0.125;

	static final int STEP_MILLIS = 10;

	/** A 16-bit sample as a fraction of full scale: a multiplication, exact (a power of two), not a division. */
	private static final double PER_FULL_SCALE = 1 / 32768.0;

	private final AWeighting weighting;

	/** The Fast level's share of each new squared sample: {@code 1 - e^(-1/(τ·fs))}. */
	private final double fastShare;

	private final int stepSamples;

	private final int fastSamples;

	private final @Nullable Double calibrationOffset;

	/** The Fast mean square, re full scale; negative before the first sample. */
	private double fast = -1;

	private int samplesToNextStep;

	private double[] steps = new double[0];

	/**
	 * @param sampleRate the stream's sample rate, Hz
	 * @param calibrationOffset dB to add to levels re full scale to make them dB SPL; {@code null}: uncalibrated
	 */
	public SoundLevelMeter(double sampleRate, @Nullable Double calibrationOffset) {
		this.weighting = AWeighting.design(sampleRate);
		this.fastShare = 1 - Math.exp(-1 / (FAST_SECONDS * sampleRate));
		this.stepSamples = Math.max(1, (int) Math.round(sampleRate * STEP_MILLIS / 1000.0));
		this.fastSamples = (int) Math.round(sampleRate * FAST_SECONDS);
		this.calibrationOffset = calibrationOffset;
		this.samplesToNextStep = this.stepSamples;
	}

	public double sampleRate() {
		return this.weighting.sampleRate();
	}

	/** The levels of the next window of the stream. */
	public SoundLevels measure(short[] samples) {
		return measure(samples, samples.length);
	}

	/** The levels of the next window: the first {@code length} samples of {@code samples}. */
	public SoundLevels measure(short[] samples, int length) {
		if (length == 0) {
			double floor = level(0);
			return new SoundLevels(floor, floor, floor, floor, floor, floor, calibrated());
		}
		if (this.fast < 0) {
			this.fast = settle(samples, length);
		}
		if (this.steps.length < length / this.stepSamples + 1) {
			this.steps = new double[length / this.stepSamples + 1];
		}
		double[] steps = this.steps;
		int stepCount = 0;
		int toNextStep = this.samplesToNextStep;
		double fast = this.fast;
		double share = this.fastShare;
		double energy = 0;
		double highest = fast;
		double lowest = fast;
		for (int i = 0; i < length; i++) {
			double weighted = this.weighting.filter(samples[i] * PER_FULL_SCALE);
			double squared = weighted * weighted;
			energy += squared;
			fast += share * (squared - fast);
			if (fast > highest) {
				highest = fast;
			}
			if (fast < lowest) {
				lowest = fast;
			}
			if (--toNextStep == 0) {
				steps[stepCount++] = fast;
				toNextStep = this.stepSamples;
			}
		}
		this.fast = fast;
		this.samplesToNextStep = toNextStep;
		if (stepCount == 0) {
			// a window shorter than a step: its one Fast level is the one at its end
			steps[stepCount++] = fast;
		}
		Arrays.sort(steps, 0, stepCount);
		return new SoundLevels(level(energy / length), level(highest), level(lowest),
				level(exceeded(steps, stepCount, 10)), level(exceeded(steps, stepCount, 50)),
				level(exceeded(steps, stepCount, 90)), calibrated());
	}

	/**
	 * Settles the filters on the first sample, and gives the energy mean of the first 125 ms as the Fast level to
	 * start from; then settles them again, for the window to be measured from its first sample.
	 */
	private double settle(short[] samples, int length) {
		this.weighting.settle(samples[0] * PER_FULL_SCALE);
		int count = Math.min(length, this.fastSamples);
		double energy = 0;
		for (int i = 0; i < count; i++) {
			double weighted = this.weighting.filter(samples[i] * PER_FULL_SCALE);
			energy += weighted * weighted;
		}
		this.weighting.settle(samples[0] * PER_FULL_SCALE);
		return energy / count;
	}

	/** The value exceeded by {@code percent} % of the sorted values: the (100 - percent)th percentile. */
	private static double exceeded(double[] sorted, int count, int percent) {
		int index = (int) Math.floor((100 - percent) / 100.0 * count);
		return sorted[Math.min(count - 1, index)];
	}

	private boolean calibrated() {
		return this.calibrationOffset != null;
	}

	/** A mean square re full scale as the contract carries it: dB, offset when calibrated, within the range. */
	private double level(double meanSquare) {
		double fullScale = (meanSquare > 0) ? 10 * Math.log10(meanSquare) : SoundLevels.FLOOR;
		double level = Math.max(SoundLevels.FLOOR, fullScale);
		if (this.calibrationOffset == null) {
			return Math.min(SoundLevels.MAX_FULL_SCALE, level);
		}
		return Math.max(SoundLevels.FLOOR, Math.min(SoundLevels.MAX_SPL, level + this.calibrationOffset));
	}

}
