package io.decibel.relay.alerts;

import io.decibel.relay.alerts.AlertSettings.Metric;
import io.decibel.relay.levels.LevelHistogram;

/**
 * A device's levels over one minute: the sum of every relay's part of it ({@code level_minutes}, one part per relay
 * that stored readings of the minute).
 */
final class MinuteLevels {

	private long measuredMs;

	private double energy;

	private double lafmax = Double.NaN;

	private final LevelHistogram histogram = new LevelHistogram();

	/** Adds one relay's part of the minute. */
	MinuteLevels add(long measuredMs, double energy, double lafmax, String histogram) {
		this.measuredMs += measuredMs;
		this.energy += energy;
		this.lafmax = Double.isNaN(this.lafmax) ? lafmax : Math.max(this.lafmax, lafmax);
		this.histogram.add(LevelHistogram.decode(histogram));
		return this;
	}

	/** The level a rule compares, dB; {@code NaN} when the minute has none (nothing measured). */
	double level(Metric metric) {
		return switch (metric) {
			case LAEQ -> (this.measuredMs > 0 && this.energy > 0) ? 10 * Math.log10(this.energy / this.measuredMs)
					: Double.NaN;
			case LAFMAX -> this.lafmax;
			case L10 -> this.histogram.exceeded(10);
			case L50 -> this.histogram.exceeded(50);
			case L90 -> this.histogram.exceeded(90);
		};
	}

}
