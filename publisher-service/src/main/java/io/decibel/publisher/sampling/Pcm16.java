package io.decibel.publisher.sampling;

import java.time.Duration;

/** 16-bit signed little-endian PCM, the one sample format the sources hand out. */
final class Pcm16 {

	static final int BYTES_PER_SAMPLE = 2;

	private Pcm16() {
	}

	static int samplesPerWindow(Duration window, float sampleRate) {
		long samples = Math.round(window.toNanos() / 1e9 * sampleRate);
		return (int) Math.max(1, samples);
	}

	/** Decodes interleaved frames, mixing the channels of each frame down to one sample. */
	static short[] toMonoSamples(byte[] frames, int length, int channels) {
		int frameSize = BYTES_PER_SAMPLE * channels;
		short[] samples = new short[length / frameSize];
		for (int i = 0; i < samples.length; i++) {
			int sum = 0;
			for (int channel = 0; channel < channels; channel++) {
				int offset = i * frameSize + channel * BYTES_PER_SAMPLE;
				sum += (short) ((frames[offset] & 0xff) | (frames[offset + 1] << 8));
			}
			samples[i] = (short) Math.round((double) sum / channels);
		}
		return samples;
	}

}
