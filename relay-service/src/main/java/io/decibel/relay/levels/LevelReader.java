package io.decibel.relay.levels;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Reads the level tables for the API: a minute adds its writers' parts up; hours and days are read as rolled up. */
@Component
class LevelReader {

	enum Interval {

		MINUTE("1m"), HOUR("1h"), DAY("1d");

		private final String label;

		Interval(String label) {
			this.label = label;
		}

		String label() {
			return this.label;
		}

		static @Nullable Interval of(String label) {
			for (Interval interval : values()) {
				if (interval.label.equals(label)) {
					return interval;
				}
			}
			return null;
		}

	}

	private final JdbcTemplate jdbc;

	private final LdenPeriods periods;

	LevelReader(JdbcTemplate jdbc, LevelSettings settings) {
		this.jdbc = jdbc;
		this.periods = new LdenPeriods(settings);
	}

	List<?> items(String deviceId, Interval interval, Instant from, Instant to) {
		return switch (interval) {
			case MINUTE -> minutes(deviceId, from, to);
			case HOUR -> hours(deviceId, from, to);
			case DAY -> days(deviceId, from, to);
		};
	}

	private List<MinuteItem> minutes(String deviceId, Instant from, Instant to) {
		Map<Instant, List<Part>> minutes = new LinkedHashMap<>();
		this.jdbc.query("select minute_start, writer, " + LevelTotals.COLUMNS + " from level_minutes"
				+ " where device_id = ? and minute_start > ? and minute_start < ? order by minute_start, writer",
				(row) -> {
					minutes.computeIfAbsent(Utc.instant(row, 1), (minute) -> new ArrayList<>())
						.add(new Part(row.getString(2), LevelTotals.of(row, 3)));
				}, deviceId, Utc.column(from.minus(Duration.ofMinutes(1))), Utc.column(to));
		List<MinuteItem> items = new ArrayList<>(minutes.size());
		minutes.forEach((start, parts) -> {
			LevelTotals sum = new LevelTotals();
			parts.forEach((part) -> sum.add(part.totals()));
			items.add(new MinuteItem(Item.of(start, start.plus(Duration.ofMinutes(1)), sum),
					parts.stream().map(Part::view).toList()));
		});
		return items;
	}

	private List<Item> hours(String deviceId, Instant from, Instant to) {
		return this.jdbc.query("select hour_start, " + LevelTotals.COLUMNS + " from level_hours"
				+ " where device_id = ? and hour_start > ? and hour_start < ? order by hour_start", (row, i) -> {
					Instant start = Utc.instant(row, 1);
					return Item.of(start, start.plus(Duration.ofHours(1)), LevelTotals.of(row, 2));
				}, deviceId, Utc.column(from.minus(Duration.ofHours(1))), Utc.column(to));
	}

	private List<DayItem> days(String deviceId, Instant from, Instant to) {
		return this.jdbc.query("select day, day_start, day_end, " + LevelTotals.COLUMNS + ", day_energy,"
				+ " day_measured_ms, evening_energy, evening_measured_ms, night_energy, night_measured_ms"
				+ " from level_days where device_id = ? and day_end > ? and day_start < ? order by day_start",
				(row, i) -> {
					LocalDate day = row.getObject(1, LocalDate.class);
					Item item = Item.of(Utc.instant(row, 2), Utc.instant(row, 3), LevelTotals.of(row, 4));
					Double lday = level(row.getDouble(12), row.getLong(13));
					Double levening = level(row.getDouble(14), row.getLong(15));
					Double lnight = level(row.getDouble(16), row.getLong(17));
					return new DayItem(item, day, round(this.periods.lden(day, lday, levening, lnight)), round(lday),
							round(levening), round(lnight));
				}, deviceId, Utc.column(from), Utc.column(to));
	}

	private static @Nullable Double level(double energy, long measuredMs) {
		return (measuredMs > 0) ? LevelTotals.leq(energy, measuredMs) : null;
	}

	/** Levels to 0.01 dB: finer than any microphone, and the answer stays readable. */
	static @Nullable Double round(@Nullable Double level) {
		return (level != null) ? Math.round(level * 100) / 100.0 : null;
	}

	/**
	 * One interval: its energy average, extremes and statistical levels (dB(A), or dB(A)FS, or dBFS for v1 readings:
	 * the counts say which readings it holds), and how much of it was measured.
	 */
	record Item(Instant start, Instant end, Double leq, double lafmax, double lafmin, double l10, double l50,
			double l90, long readings, long dbfsReadings, long uncalibratedReadings, double coverage) {

		static Item of(Instant start, Instant end, LevelTotals totals) {
			double seconds = Duration.between(start, end).toMillis();
			return new Item(start, end, round(totals.leq()), totals.lafmax, totals.lafmin,
					totals.histogram.exceeded(10), totals.histogram.exceeded(50), totals.histogram.exceeded(90),
					totals.readings, totals.dbfsReadings, totals.uncalibratedReadings,
					Math.min(1, totals.measuredMs / seconds));
		}

	}

	/** A minute, with each relay's part of it. */
	record MinuteItem(@JsonUnwrapped Item item, List<PartView> parts) {
	}

	/**
	 * A calendar day of the zone, with Lden and the Leq of its day, evening and night periods; each is {@code null}
	 * when nothing was measured in its period (Lden: in any of them).
	 */
	record DayItem(@JsonUnwrapped Item item, LocalDate day, @Nullable Double lden, @Nullable Double lday,
			@Nullable Double levening, @Nullable Double lnight) {
	}

	record PartView(String writer, long readings, long dbfsReadings, long uncalibratedReadings, long measuredMs,
			Double leq, double lafmax, double lafmin) {
	}

	private record Part(String writer, LevelTotals totals) {

		PartView view() {
			return new PartView(this.writer, this.totals.readings, this.totals.dbfsReadings,
					this.totals.uncalibratedReadings, this.totals.measuredMs, round(this.totals.leq()),
					this.totals.lafmax, this.totals.lafmin);
		}

	}

}
