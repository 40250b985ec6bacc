package io.decibel.relay.levels;

import java.sql.ResultSet;
import java.sql.SQLException;

import io.decibel.contract.Reading;
import io.decibel.contract.SoundLevels;

/**
 * What a minute, an hour or a day holds of one device's readings, or a part of it: the columns V7 gives each of
 * them. Sums and extremes, so that the totals of any set of readings are the sums of its parts' totals, exactly
 * (the energy is a sum of doubles: exact to rounding, whatever the order).
 */
final class LevelTotals {

	/** The columns as they are named in every level table, in the order {@link #of(ResultSet)} reads them. */
	static final String COLUMNS = "readings, dbfs_readings, uncalibrated_readings, measured_ms, energy, lafmax, lafmin,"
			+ " histogram";

	long readings;

	long dbfsReadings;

	long uncalibratedReadings;

	long measuredMs;

	double energy;

	double lafmax = Double.NEGATIVE_INFINITY;

	double lafmin = Double.POSITIVE_INFINITY;

	LevelHistogram histogram = new LevelHistogram();

	/**
	 * Counts one reading: its LAeq, LAFmax and LAFmin, or, for a v1 reading that carries none, its dBFS as all three.
	 */
	LevelTotals add(Reading reading) {
		SoundLevels levels = reading.levels();
		double laeq = (levels != null) ? levels.laeq() : reading.dbfs();
		this.readings++;
		if (levels == null) {
			this.dbfsReadings++;
		}
		else if (!levels.calibrated()) {
			this.uncalibratedReadings++;
		}
		this.measuredMs += reading.windowMs();
		this.energy += reading.windowMs() * Math.pow(10, laeq / 10);
		this.lafmax = Math.max(this.lafmax, (levels != null) ? levels.lafmax() : laeq);
		this.lafmin = Math.min(this.lafmin, (levels != null) ? levels.lafmin() : laeq);
		this.histogram.add(laeq);
		return this;
	}

	LevelTotals add(LevelTotals other) {
		this.readings += other.readings;
		this.dbfsReadings += other.dbfsReadings;
		this.uncalibratedReadings += other.uncalibratedReadings;
		this.measuredMs += other.measuredMs;
		this.energy += other.energy;
		this.lafmax = Math.max(this.lafmax, other.lafmax);
		this.lafmin = Math.min(this.lafmin, other.lafmin);
		this.histogram.add(other.histogram);
		return this;
	}

	/** The energy average over what was measured, 10·log10(energy / measured ms); {@code NaN} when nothing was. */
	double leq() {
		return leq(this.energy, this.measuredMs);
	}

	static double leq(double energy, long measuredMs) {
		return (measuredMs > 0) ? 10 * Math.log10(energy / measuredMs) : Double.NaN;
	}

	/** The columns {@link #COLUMNS} names, read from the current row from {@code first} on. */
	static LevelTotals of(ResultSet row, int first) throws SQLException {
		LevelTotals totals = new LevelTotals();
		totals.readings = row.getLong(first);
		totals.dbfsReadings = row.getLong(first + 1);
		totals.uncalibratedReadings = row.getLong(first + 2);
		totals.measuredMs = row.getLong(first + 3);
		totals.energy = row.getDouble(first + 4);
		totals.lafmax = row.getDouble(first + 5);
		totals.lafmin = row.getDouble(first + 6);
		totals.histogram = LevelHistogram.decode(row.getString(first + 7));
		return totals;
	}

	/** The values of {@link #COLUMNS}, in order. */
	Object[] values() {
		return new Object[] { this.readings, this.dbfsReadings, this.uncalibratedReadings, this.measuredMs,
				this.energy, this.lafmax, this.lafmin, this.histogram.encode() };
	}

}
