package io.decibel.publisher.sampling;

import java.util.Arrays;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;

/** Generated test signals as 16-bit samples, amplitudes as fractions of full scale. */
final class TestSignals {

	private TestSignals() {
	}

	static short[] sine(double frequency, double amplitude, double seconds, double sampleRate) {
		return gatedSine(frequency, (t) -> amplitude, seconds, sampleRate);
	}

	/** A sine whose amplitude follows {@code envelope(t)}, its phase running on: a tone switched on and off. */
	static short[] gatedSine(double frequency, DoubleUnaryOperator envelope, double seconds, double sampleRate) {
		short[] samples = new short[(int) Math.round(seconds * sampleRate)];
		for (int i = 0; i < samples.length; i++) {
			double t = i / sampleRate;
			samples[i] = quantize(envelope.applyAsDouble(t) * Math.sin(2 * Math.PI * frequency * t));
		}
		return samples;
	}

	/**
	 * Band-limited pink noise (power density ∝ 1/f from {@code low} to {@code high}), periodic over its length, made
	 * in the frequency domain: each bin of the band at amplitude ∝ 1/√f with a random phase.
	 * @return the samples, with the spectrum's power per bin in {@code power} (by bin index: f = bin·rate/n)
	 */
	static short[] pinkNoise(int log2Length, double low, double high, double rms, double sampleRate, long seed,
			double[] power) {
		int n = 1 << log2Length;
		double[] re = new double[n];
		double[] im = new double[n];
		Random random = new Random(seed);
		for (int bin = 1; bin < n / 2; bin++) {
			double f = bin * sampleRate / n;
			if (f < low || f > high) {
				continue;
			}
			double amplitude = 1 / Math.sqrt(f);
			double phase = 2 * Math.PI * random.nextDouble();
			re[bin] = amplitude * Math.cos(phase);
			im[bin] = amplitude * Math.sin(phase);
			re[n - bin] = re[bin];
			im[n - bin] = -im[bin];
			power[bin] = amplitude * amplitude;
		}
		// an inverse transform: the forward one of the conjugate, conjugated (the signal is real: its real part)
		for (int i = 0; i < n; i++) {
			im[i] = -im[i];
		}
		fft(re, im);
		double sumOfSquares = 0;
		for (double x : re) {
			sumOfSquares += x * x;
		}
		double scale = rms / Math.sqrt(sumOfSquares / n);
		short[] samples = new short[n];
		for (int i = 0; i < n; i++) {
			samples[i] = quantize(re[i] * scale);
		}
		return samples;
	}

	/** In place, radix 2. */
	static void fft(double[] re, double[] im) {
		int n = re.length;
		for (int i = 1, j = 0; i < n; i++) {
			int bit = n >> 1;
			for (; (j & bit) != 0; bit >>= 1) {
				j ^= bit;
			}
			j ^= bit;
			if (i < j) {
				double t = re[i];
				re[i] = re[j];
				re[j] = t;
				t = im[i];
				im[i] = im[j];
				im[j] = t;
			}
		}
		for (int length = 2; length <= n; length <<= 1) {
			double angle = -2 * Math.PI / length;
			double wRe = Math.cos(angle);
			double wIm = Math.sin(angle);
			for (int i = 0; i < n; i += length) {
				double uRe = 1;
				double uIm = 0;
				for (int k = 0; k < length / 2; k++) {
					int a = i + k;
					int b = a + length / 2;
					double vRe = re[b] * uRe - im[b] * uIm;
					double vIm = re[b] * uIm + im[b] * uRe;
					re[b] = re[a] - vRe;
					im[b] = im[a] - vIm;
					re[a] += vRe;
					im[a] += vIm;
					double next = uRe * wRe - uIm * wIm;
					uIm = uRe * wIm + uIm * wRe;
					uRe = next;
				}
			}
		}
	}

	/** The samples from {@code from} (seconds) for {@code seconds}. */
	static short[] slice(short[] samples, double from, double seconds, double sampleRate) {
		int start = (int) Math.round(from * sampleRate);
		return Arrays.copyOfRange(samples, start, start + (int) Math.round(seconds * sampleRate));
	}

	/** Level re full scale of a mean square, dB. */
	static double db(double meanSquare) {
		return 10 * Math.log10(meanSquare);
	}

	static short quantize(double fractionOfFullScale) {
		long sample = Math.round(fractionOfFullScale * 32768);
		return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, sample));
	}

}
