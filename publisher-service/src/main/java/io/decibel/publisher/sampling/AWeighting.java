package io.decibel.publisher.sampling;

import org.jspecify.annotations.Nullable;

/**
 * The A frequency weighting of IEC 61672-1 as a digital filter for one sample rate: three second-order sections.
 * <p>
 * The analogue weighting is {@code k·s⁴ / ((s+ω1)²·(s+ω2)·(s+ω3)·(s+ω4)²)}, with poles at f1 = 20.6 Hz, f2 = 107.7 Hz,
 * f3 = 737.9 Hz and f4 = 12.2 kHz. Its four high-pass poles (with the four zeros at 0 Hz) go through the bilinear
 * transform, each pre-warped to its own frequency: their responses are flat towards the top of the band, where the
 * transform squeezes frequencies, so they come out within hundredths of a dB. The double pole at f4 cannot: at 16 kHz
 * it lies above the Nyquist frequency, and even at 48 kHz a bilinear design would pull the top octave down by dB. The
 * third section is designed to match the analogue response instead: fitted, when the filter is designed, to what the
 * analogue weighting asks of it once the first two sections are in place (see {@code fitted}). The whole is
 * scaled to 0 dB at 1 kHz, as the standard defines it. How close it comes at each rate: {@code AWeightingTests}, and
 * docs/levels.md.
 */
final class AWeighting {

	static final double F1 = 20.598997;

	static final double F2 = 107.65265;

	static final double F3 = 737.86223;

	static final double F4 = 12194.217;

	/** The band the weighting is fitted over: from here to {@link #TOP_FREQUENCY} or the Nyquist frequency. */
	static final double BOTTOM_FREQUENCY = 10;

	static final double TOP_FREQUENCY = 20_000;

	private static final int FIT_POINTS = 200;

	/** 1 kHz counts as this many of the other frequencies: the cascade is scaled there, its error moves all others. */
	private static final double REFERENCE_WEIGHT = 30;

	private static final int LAWSON_ITERATIONS = 30;

	private final double sampleRate;

	private final Biquad lowCorner;

	private final Biquad midCorners;

	private final Biquad highCorner;

	private AWeighting(double sampleRate, Biquad lowCorner, Biquad midCorners, Biquad highCorner) {
		this.sampleRate = sampleRate;
		this.lowCorner = lowCorner;
		this.midCorners = midCorners;
		this.highCorner = highCorner;
	}

	/** The weighting designed for {@code sampleRate} (Hz; at least 8 kHz). */
	static AWeighting design(double sampleRate) {
		if (!(sampleRate >= 8_000)) {
			throw new IllegalArgumentException("A-weighting needs a sample rate of at least 8 kHz, not " + sampleRate);
		}
		double p1 = bilinearPole(F1, sampleRate);
		double g1 = bilinearGain(F1, sampleRate);
		Biquad low = new Biquad(g1 * g1, -2 * g1 * g1, g1 * g1, -2 * p1, p1 * p1);
		double p2 = bilinearPole(F2, sampleRate);
		double p3 = bilinearPole(F3, sampleRate);
		double g23 = bilinearGain(F2, sampleRate) * bilinearGain(F3, sampleRate);
		Biquad mid = new Biquad(g23, -2 * g23, g23, -(p2 + p3), p2 * p3);
		Biquad high = fitted(sampleRate, low, mid);
		AWeighting unscaled = new AWeighting(sampleRate, low, mid, high);
		double at1k = unscaled.magnitude(1000);
		return new AWeighting(sampleRate, low.scaled(1 / at1k), mid, high);
	}

	/** The analogue A-weighting at {@code frequency}, in dB re its value at 1 kHz: what the standard tabulates. */
	static double analogueDb(double frequency) {
		return 20 * Math.log10(analogueRatio(frequency) / analogueRatio(1000));
	}

	private static double analogueRatio(double f) {
		double f2 = f * f;
		return F4 * F4 * f2 * f2 / ((f2 + F1 * F1) * Math.sqrt((f2 + F2 * F2) * (f2 + F3 * F3)) * (f2 + F4 * F4));
	}

	/** One weighted sample. */
	double filter(double x) {
		return this.highCorner.filter(this.midCorners.filter(this.lowCorner.filter(x)));
	}

	/** Starts the filters as if {@code x} had always been the input: a DC offset starts no transient. */
	void settle(double x) {
		this.highCorner.settle(this.midCorners.settle(this.lowCorner.settle(x)));
	}

	/** This filter's response at {@code frequency}, in dB. */
	double responseDb(double frequency) {
		return 20 * Math.log10(magnitude(frequency));
	}

	double sampleRate() {
		return this.sampleRate;
	}

	private double magnitude(double frequency) {
		return this.lowCorner.magnitude(frequency, this.sampleRate)
				* this.midCorners.magnitude(frequency, this.sampleRate)
				* this.highCorner.magnitude(frequency, this.sampleRate);
	}

	/** The pole of {@code s/(s+ω)} through the bilinear transform, ω pre-warped so that its corner stays put. */
	private static double bilinearPole(double corner, double sampleRate) {
		double k = Math.tan(Math.PI * corner / sampleRate);
		return (1 - k) / (1 + k);
	}

	/** The gain of {@code s/(s+ω)} through the pre-warped bilinear transform: {@code (1 - z⁻¹)·g / (1 - p·z⁻¹)}. */
	private static double bilinearGain(double corner, double sampleRate) {
		return 1 / (1 + Math.tan(Math.PI * corner / sampleRate));
	}

	/**
	 * The section that makes the cascade match the analogue weighting: two poles and two zeros, fitted to
	 * {@code A(f) / (low·mid)(f)} — the 12.2 kHz double pole, and whatever the bilinear sections are off by — over
	 * {@value #FIT_POINTS} frequencies from 10 Hz to 20 kHz or the Nyquist frequency, and 1 kHz, where the cascade is
	 * scaled to 0 dB, weighted most. With {@code |B(e^jw)|²} written as {@code β0 + 2·β1·cos w + 2·β2·cos 2w}, the β are
	 * linear: for given poles they are a weighted least-squares fit of the relative error, refined towards the
	 * smallest largest error (Lawson's reweighting); the poles are the ones whose fit has the smallest largest error
	 * (a search over their radius and angle, coarse then fine). {@code b0+b1+b2} and {@code b0-b1+b2} are then the
	 * square roots of {@code |B|²} at 0 and fs/2, and {@code b0·b2 = β2} splits the rest.
	 */
	private static Biquad fitted(double sampleRate, Biquad low, Biquad mid) {
		double top = Math.min(TOP_FREQUENCY, sampleRate / 2);
		double[] cos1 = new double[FIT_POINTS + 1];
		double[] cos2 = new double[FIT_POINTS + 1];
		double[] target = new double[FIT_POINTS + 1];
		double[] weight = new double[FIT_POINTS + 1];
		double reference = analogueRatio(1000);
		for (int i = 0; i <= FIT_POINTS; i++) {
			// the last point is 1 kHz
			double frequency = (i < FIT_POINTS)
					? BOTTOM_FREQUENCY * Math.pow(top / BOTTOM_FREQUENCY, i / (FIT_POINTS - 1.0)) : 1000;
			double w = 2 * Math.PI * frequency / sampleRate;
			cos1[i] = Math.cos(w);
			cos2[i] = Math.cos(2 * w);
			double rest = low.magnitude(frequency, sampleRate) * mid.magnitude(frequency, sampleRate);
			target[i] = square(analogueRatio(frequency) / reference / rest);
			weight[i] = (i < FIT_POINTS) ? 1 : REFERENCE_WEIGHT;
		}
		Fit best = null;
		for (int pass = 0; pass < 3; pass++) {
			double radiusStep = 0.04 / Math.pow(8, pass);
			double angleStep = Math.PI / 32 / Math.pow(8, pass);
			double radiusFrom = (best == null) ? 0 : Math.max(0, best.radius - 4 * radiusStep);
			double radiusTo = (best == null) ? 0.96 : Math.min(0.96, best.radius + 4 * radiusStep);
			double angleFrom = (best == null) ? 0 : Math.max(0, best.angle - 4 * angleStep);
			double angleTo = (best == null) ? Math.PI : Math.min(Math.PI, best.angle + 4 * angleStep);
			for (double radius = radiusFrom; radius <= radiusTo + 1e-12; radius += radiusStep) {
				for (double angle = angleFrom; angle <= angleTo + 1e-12; angle += angleStep) {
					Fit fit = Fit.of(radius, angle, cos1, cos2, target, weight);
					if (fit != null && (best == null || fit.error < best.error)) {
						best = fit;
					}
				}
			}
		}
		if (best == null) {
			throw new IllegalStateException("No A-weighting section fits at " + sampleRate + " Hz");
		}
		return best.refined(cos1, cos2, target, weight).section();
	}

	/** Poles at {@code radius·e^±j·angle}, the zeros fitted to them, and the largest error after scaling at 1 kHz. */
	private record Fit(double radius, double angle, double[] beta, double error) {

		static @Nullable Fit of(double radius, double angle, double[] cos1, double[] cos2, double[] target,
				double[] weight) {
			double a1 = -2 * radius * Math.cos(angle);
			double a2 = radius * radius;
			double[][] normal = new double[3][4];
			for (int i = 0; i < target.length; i++) {
				double want = target[i] * poles(a1, a2, cos1[i], cos2[i]);
				double scale = weight[i] / want;
				double[] row = { scale, 2 * cos1[i] * scale, 2 * cos2[i] * scale };
				for (int r = 0; r < 3; r++) {
					for (int c = 0; c < 3; c++) {
						normal[r][c] += row[r] * row[c];
					}
					normal[r][3] += row[r] * weight[i];
				}
			}
			double[] beta = solve(normal);
			double largest = 0;
			double atReference = 0;
			double[] errors = new double[target.length];
			for (int i = 0; i < target.length; i++) {
				double power = beta[0] + 2 * beta[1] * cos1[i] + 2 * beta[2] * cos2[i];
				if (!(power > 0)) {
					return null;
				}
				errors[i] = 10 * Math.log10(power / (target[i] * poles(a1, a2, cos1[i], cos2[i])));
			}
			atReference = errors[target.length - 1];
			for (double error : errors) {
				largest = Math.max(largest, Math.abs(error - atReference));
			}
			Fit fit = new Fit(radius, angle, beta, largest);
			return (fit.section() != null) ? fit : null;
		}

		/** Lawson's iteration: weight each frequency by its error, so that the largest errors come down. */
		Fit refined(double[] cos1, double[] cos2, double[] target, double[] weight) {
			Fit best = this;
			double[] lawson = weight.clone();
			double a1 = -2 * this.radius * Math.cos(this.angle);
			double a2 = this.radius * this.radius;
			Fit current = this;
			for (int iteration = 0; iteration < LAWSON_ITERATIONS; iteration++) {
				double sum = 0;
				for (int i = 0; i < target.length - 1; i++) {
					double power = current.beta[0] + 2 * current.beta[1] * cos1[i] + 2 * current.beta[2] * cos2[i];
					double error = Math.abs(power / (target[i] * poles(a1, a2, cos1[i], cos2[i])) - 1);
					lawson[i] *= Math.sqrt(error + 1e-12);
					sum += lawson[i];
				}
				for (int i = 0; i < target.length - 1; i++) {
					lawson[i] *= (target.length - 1) / sum;
				}
				Fit next = Fit.of(this.radius, this.angle, cos1, cos2, target, lawson);
				if (next == null) {
					break;
				}
				current = next;
				if (next.error < best.error) {
					best = next;
				}
			}
			return best;
		}

		@Nullable Biquad section() {
			double a1 = -2 * this.radius * Math.cos(this.angle);
			double a2 = this.radius * this.radius;
			double atZero = this.beta[0] + 2 * this.beta[1] + 2 * this.beta[2];
			double atNyquist = this.beta[0] - 2 * this.beta[1] + 2 * this.beta[2];
			if (!(atZero > 0) || !(atNyquist >= 0)) {
				return null;
			}
			double sumRoot = Math.sqrt(atZero);
			for (double alternatingRoot : new double[] { Math.sqrt(atNyquist), -Math.sqrt(atNyquist) }) {
				double outer = (sumRoot + alternatingRoot) / 2;
				double discriminant = outer * outer - 4 * this.beta[2];
				if (discriminant >= 0) {
					double spread = Math.sqrt(discriminant);
					return new Biquad((outer + spread) / 2, (sumRoot - alternatingRoot) / 2, (outer - spread) / 2,
							a1, a2);
				}
			}
			return null;
		}

	}

	/** {@code |1 + a1·e^-jw + a2·e^-2jw|²}. */
	private static double poles(double a1, double a2, double cos1, double cos2) {
		return 1 + a1 * a1 + a2 * a2 + 2 * a1 * (1 + a2) * cos1 + 2 * a2 * cos2;
	}

	/** Gaussian elimination with partial pivoting, on an augmented 3×4 matrix. */
	private static double[] solve(double[][] m) {
		for (int col = 0; col < 3; col++) {
			int pivot = col;
			for (int r = col + 1; r < 3; r++) {
				if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) {
					pivot = r;
				}
			}
			double[] swap = m[col];
			m[col] = m[pivot];
			m[pivot] = swap;
			for (int r = col + 1; r < 3; r++) {
				double factor = m[r][col] / m[col][col];
				for (int c = col; c < 4; c++) {
					m[r][c] -= factor * m[col][c];
				}
			}
		}
		double[] x = new double[3];
		for (int r = 2; r >= 0; r--) {
			double sum = m[r][3];
			for (int c = r + 1; c < 3; c++) {
				sum -= m[r][c] * x[c];
			}
			x[r] = sum / m[r][r];
		}
		return x;
	}

	private static double square(double x) {
		return x * x;
	}

}
