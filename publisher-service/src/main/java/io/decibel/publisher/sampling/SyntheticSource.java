package io.decibel.publisher.sampling;

import java.time.Duration;
import java.util.Random;

/**
 * A seeded stand-in for a microphone, for containers, load tests and demos: a quiet noise floor with now and then
 * a louder tone that lasts a few windows. Every value comes from the seeded {@link Random}, so the same seed
 * gives the same levels.
 */
final class SyntheticSource implements NoiseSource {

	static final float SAMPLE_RATE = 16_000f;

	/** About -50 dBFS: a quiet room. */
	private static final double FLOOR_RMS = 100;

	private static final double EVENT_CHANCE = 0.1;

	private final Random random;

	private final int samplesPerWindow;

	private int eventWindowsLeft;

	private double eventAmplitude;

	private double eventFrequency;

	private long sampleIndex;

	SyntheticSource(long seed, Duration window) {
		this.random = new Random(seed);
		this.samplesPerWindow = Pcm16.samplesPerWindow(window, SAMPLE_RATE);
	}

	@Override
	public String name() {
		return "synthetic";
	}

	@Override
	public float sampleRate() {
		return SAMPLE_RATE;
	}

	@Override
	public short[] read() {
		if (this.eventWindowsLeft == 0 && this.random.nextDouble() < EVENT_CHANCE) {
			this.eventWindowsLeft = 1 + this.random.nextInt(3);
			this.eventAmplitude = 2_000 + this.random.nextDouble() * 12_000;
			this.eventFrequency = 200 + this.random.nextDouble() * 1_800;
		}
		// the floor breathes a little from window to window
		double floor = FLOOR_RMS * (0.8 + 0.4 * this.random.nextDouble());
		short[] samples = new short[this.samplesPerWindow];
		for (int i = 0; i < samples.length; i++) {
			double sample = this.random.nextGaussian() * floor;
			if (this.eventWindowsLeft > 0) {
				sample += this.eventAmplitude
						* Math.sin(2 * Math.PI * this.eventFrequency * this.sampleIndex / SAMPLE_RATE);
			}
			samples[i] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, Math.round(sample)));
			this.sampleIndex++;
		}
		if (this.eventWindowsLeft > 0) {
			this.eventWindowsLeft--;
		}
		return samples;
	}

}
