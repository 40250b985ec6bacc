package io.decibel.publisher.sampling;

/**
 * One second-order section, {@code (b0 + b1·z⁻¹ + b2·z⁻²) / (1 + a1·z⁻¹ + a2·z⁻²)}, in transposed direct form II:
 * two doubles of state, five multiplications a sample.
 */
final class Biquad {

	private final double b0;

	private final double b1;

	private final double b2;

	private final double a1;

	private final double a2;

	private double s1;

	private double s2;

	Biquad(double b0, double b1, double b2, double a1, double a2) {
		this.b0 = b0;
		this.b1 = b1;
		this.b2 = b2;
		this.a1 = a1;
		this.a2 = a2;
	}

	double filter(double x) {
		double y = this.b0 * x + this.s1;
		this.s1 = this.b1 * x - this.a1 * y + this.s2;
		this.s2 = this.b2 * x - this.a2 * y;
		return y;
	}

	/**
	 * Sets the state as if the input had been {@code x} for ever, so that a first sample far from zero (a DC offset)
	 * starts no transient.
	 * @return the output for that steady input
	 */
	double settle(double x) {
		double y = x * (this.b0 + this.b1 + this.b2) / (1 + this.a1 + this.a2);
		this.s2 = this.b2 * x - this.a2 * y;
		this.s1 = this.b1 * x - this.a1 * y + this.s2;
		return y;
	}

	/** The magnitude of the response at {@code frequency}, as a ratio. */
	double magnitude(double frequency, double sampleRate) {
		double w = 2 * Math.PI * frequency / sampleRate;
		double cos1 = Math.cos(w);
		double sin1 = Math.sin(w);
		double cos2 = Math.cos(2 * w);
		double sin2 = Math.sin(2 * w);
		double numeratorRe = this.b0 + this.b1 * cos1 + this.b2 * cos2;
		double numeratorIm = -this.b1 * sin1 - this.b2 * sin2;
		double denominatorRe = 1 + this.a1 * cos1 + this.a2 * cos2;
		double denominatorIm = -this.a1 * sin1 - this.a2 * sin2;
		return Math.sqrt((numeratorRe * numeratorRe + numeratorIm * numeratorIm)
				/ (denominatorRe * denominatorRe + denominatorIm * denominatorIm));
	}

	Biquad scaled(double gain) {
		return new Biquad(this.b0 * gain, this.b1 * gain, this.b2 * gain, this.a1, this.a2);
	}

	void reset() {
		this.s1 = 0;
		this.s2 = 0;
	}

}
