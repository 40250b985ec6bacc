package io.decibel.relay.levels;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;

import org.jspecify.annotations.Nullable;

/**
 * The day, evening and night periods of Lden (EU 2002/49/EC, Annex I) in the configured zone, and Lden itself. A
 * calendar day (local 00:00 to 24:00) is the unit: its night is the hours outside its day and evening periods, the
 * early morning and the late evening of the same date, so a day that changes to or from daylight saving time has a
 * night of 7 or 9 hours. The periods start on the hour, so every local hour lies in one of them.
 */
final class LdenPeriods {

	/** Evening levels count 5 dB more, night levels 10 dB. */
	static final double EVENING_PENALTY = 5;

	static final double NIGHT_PENALTY = 10;

	enum Period {

		DAY, EVENING, NIGHT

	}

	private final LevelSettings settings;

	LdenPeriods(LevelSettings settings) {
		this.settings = settings;
	}

	/** The period an hour beginning at this instant belongs to. */
	Period of(Instant hourStart) {
		LocalTime local = hourStart.atZone(this.settings.zone()).toLocalTime();
		if (local.isBefore(this.settings.dayStarts()) || !local.isBefore(this.settings.nightStarts())) {
			return Period.NIGHT;
		}
		return local.isBefore(this.settings.eveningStarts()) ? Period.DAY : Period.EVENING;
	}

	/** How long each period of the date lasts, in the order day, evening, night. */
	Duration[] lengths(LocalDate date) {
		Duration day = Duration.between(at(date, this.settings.dayStarts()), at(date, this.settings.eveningStarts()));
		Duration evening = Duration.between(at(date, this.settings.eveningStarts()),
				at(date, this.settings.nightStarts()));
		Duration whole = Duration.between(date.atStartOfDay(this.settings.zone()),
				date.plusDays(1).atStartOfDay(this.settings.zone()));
		return new Duration[] { day, evening, whole.minus(day).minus(evening) };
	}

	private Instant at(LocalDate date, LocalTime time) {
		return date.atTime(time).atZone(this.settings.zone()).toInstant();
	}

	/**
	 * Lden = 10·log10((Td·10^(Ld/10) + Te·10^((Le+5)/10) + Tn·10^((Ln+10)/10)) / (Td+Te+Tn)), with Td, Te and Tn the
	 * lengths of the date's periods.
	 * @return {@code null} when a period has no level (nothing measured in it)
	 */
	@Nullable Double lden(LocalDate date, @Nullable Double lday, @Nullable Double levening,
			@Nullable Double lnight) {
		if (lday == null || levening == null || lnight == null) {
			return null;
		}
		Duration[] lengths = lengths(date);
		double td = lengths[0].toMillis();
		double te = lengths[1].toMillis();
		double tn = lengths[2].toMillis();
		return 10 * Math.log10((td * Math.pow(10, lday / 10) + te * Math.pow(10, (levening + EVENING_PENALTY) / 10)
				+ tn * Math.pow(10, (lnight + NIGHT_PENALTY) / 10)) / (td + te + tn));
	}

}
