package io.decibel.relay.levels;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.decibel.relay.database.InsertOrUpdate;
import io.decibel.relay.levels.LdenPeriods.Period;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Keeps {@code level_hours} and {@code level_days} up to date from {@code level_minutes}, a few seconds behind.
 * <p>
 * A pass recomputes, from scratch, every hour whose minutes changed since the previous pass — from all their parts,
 * whoever wrote them — and every day of those hours from its hours. Recomputing is idempotent: a pass that sees a
 * change twice, or fails and is made again, counts nothing twice. What changed is found by the minutes' time
 * ({@code updated_at}, the database's clock in UTC): those written since the previous pass began, less a margin for
 * the transactions that wrote before that and committed after (a store transaction that commits later than half the
 * margin after writing marks its minutes again, {@link LevelMinutes}). Several relays run passes; the row holding the
 * watermark is locked by the pass ({@code for update skip locked}), so one runs at a time, and the others skip theirs.
 */
@Component
class LevelRollup implements SmartLifecycle {

	private static final Logger LOG = LoggerFactory.getLogger(LevelRollup.class);

	/** Devices per query: an {@code in} list of a bounded length. */
	private static final int DEVICES_PER_QUERY = 500;

	private final JdbcTemplate jdbc;

	private final InsertOrUpdate upsert;

	private final TransactionTemplate transaction;

	private final LevelRollupSettings settings;

	private final ZoneId zone;

	private final LdenPeriods periods;

	private volatile ScheduledExecutorService passes;

	private boolean failing;

	LevelRollup(JdbcTemplate jdbc, InsertOrUpdate upsert, PlatformTransactionManager transactions,
			LevelSettings levels, LevelRollupSettings settings) {
		this.jdbc = jdbc;
		this.upsert = upsert;
		this.transaction = new TransactionTemplate(transactions);
		// a pass that hangs must not hold the watermark (and every relay's passes) for ever
		this.transaction.setTimeout(120);
		this.settings = settings;
		this.zone = levels.zone();
		this.periods = new LdenPeriods(levels);
	}

	/** What a pass did. */
	enum Pass {

		/** Another relay's pass holds the watermark. */
		SKIPPED,

		/** Everything changed until the pass began is rolled up. */
		DONE,

		/** The pass took its most parts; more changed parts wait. */
		MORE

	}

	/**
	 * One pass, in one transaction. A backlog of changed minute parts older than the margin is taken at most
	 * {@code max-parts} at a time (more when that many were written by one transaction), in the order of their time,
	 * up to a cut; the watermark then moves to the cut (plus the margin) rather than to the pass's start, so that the
	 * next pass goes on from there. The parts of the last margin are always taken whole.
	 */
	Pass pass() {
		Pass done = this.transaction.execute((status) -> {
			List<LocalDateTime> watermark = this.jdbc.query(
					"select watermark from level_rollup where id = 1 for update skip locked",
					(row, i) -> row.getObject(1, LocalDateTime.class));
			if (watermark.isEmpty()) {
				return Pass.SKIPPED;
			}
			LocalDateTime began = this.jdbc.queryForObject("select utc_timestamp(6)", LocalDateTime.class);
			LocalDateTime since = watermark.get(0).minus(this.settings.margin());
			// among the parts written before the margin of this pass (a backlog), the first beyond the most a pass
			// takes: the pass stops before it (or just after it, when every part before it has the same time). The
			// parts of the margin itself are always taken whole: they are taken again by the next pass anyway
			LocalDateTime settled = began.minus(this.settings.margin());
			List<LocalDateTime> beyond = this.jdbc.query("select updated_at from level_minutes"
					+ " where updated_at >= ? and updated_at < ? order by updated_at limit 1 offset ?",
					(row, i) -> row.getObject(1, LocalDateTime.class), since, settled, this.settings.maxParts());
			LocalDateTime cut = null;
			if (!beyond.isEmpty()) {
				cut = beyond.get(0);
				if (this.jdbc.queryForList("select 1 from level_minutes where updated_at >= ? and updated_at < ? limit 1",
						since, cut).isEmpty()) {
					cut = cut.plusNanos(1000);
				}
			}
			// the devices whose minutes changed, by hour
			Map<Instant, Set<String>> hours = new TreeMap<>();
			RowCallbackHandler changed = (row) -> hours
				.computeIfAbsent(hourOf(Utc.instant(row, 2)), (hour) -> new TreeSet<>())
				.add(row.getString(1));
			if (cut == null) {
				this.jdbc.query("select distinct device_id, minute_start from level_minutes where updated_at >= ?",
						changed, since);
			}
			else {
				this.jdbc.query("select distinct device_id, minute_start from level_minutes"
						+ " where updated_at >= ? and updated_at < ?", changed, since, cut);
			}
			Map<LocalDate, Set<String>> days = new TreeMap<>();
			hours.forEach((hour, devices) -> {
				rollUpHour(hour, devices);
				days.computeIfAbsent(hour.atZone(this.zone).toLocalDate(), (day) -> new TreeSet<>()).addAll(devices);
			});
			days.forEach(this::rollUpDay);
			// after a cut (before the margin), the next pass looks from the cut on: what is not rolled up yet, and
			// what committed after this pass began (written after it less the margin, so after the cut)
			LocalDateTime next = (cut != null) ? cut.plus(this.settings.margin()) : began;
			this.jdbc.update("update level_rollup set watermark = ? where id = 1", next);
			if (!hours.isEmpty()) {
				LOG.debug("Rolled up {} device-hours, {} device-days", count(hours), count(days));
			}
			return (cut != null) ? Pass.MORE : Pass.DONE;
		});
		return (done != null) ? done : Pass.SKIPPED;
	}

	/** The local hour of the zone the instant lies in, as the instant it begins. */
	private Instant hourOf(Instant instant) {
		return instant.atZone(this.zone).truncatedTo(ChronoUnit.HOURS).toInstant();
	}

	private void rollUpHour(Instant hour, Set<String> devices) {
		for (List<String> some : chunks(devices)) {
			Map<String, LevelTotals> totals = new HashMap<>();
			List<Object> arguments = new ArrayList<>(some);
			arguments.add(0, Utc.column(hour));
			arguments.add(1, Utc.column(hour.plus(Duration.ofHours(1))));
			this.jdbc.query("select device_id, " + LevelTotals.COLUMNS
					+ " from level_minutes where minute_start >= ? and minute_start < ? and device_id in ("
					+ LevelMinutes.marks(some.size()) + ")",
					(RowCallbackHandler) (row) -> add(totals, row.getString(1), LevelTotals.of(row, 2)),
					arguments.toArray());
			keepRetiredHours(hour, some, totals);
			List<Object> rows = new ArrayList<>(totals.size() * 10);
			totals.forEach((device, sum) -> {
				rows.add(device);
				rows.add(Utc.column(hour));
				rows.addAll(Arrays.asList(sum.values()));
			});
			upsert("insert into level_hours (device_id, hour_start, " + LevelTotals.COLUMNS + ") values ",
					"(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", totals.size(), LevelTotals.COLUMNS, rows);
		}
	}

	/**
	 * An hour rolled up before holds more readings than its minutes do once retention deleted some of them (after a
	 * year, by default): a reading sampled that long ago must not replace the hour with what is left of its minutes.
	 * The hour keeps its value, and the late reading counts in its minute only (which retention deletes next).
	 */
	private void keepRetiredHours(Instant hour, List<String> devices, Map<String, LevelTotals> totals) {
		List<Object> arguments = new ArrayList<>(devices);
		arguments.add(0, Utc.column(hour));
		this.jdbc.query("select device_id, readings from level_hours where hour_start = ? and device_id in ("
				+ LevelMinutes.marks(devices.size()) + ")", (RowCallbackHandler) (row) -> {
					String device = row.getString(1);
					LevelTotals minutes = totals.get(device);
					if (minutes != null && row.getLong(2) > minutes.readings) {
						totals.remove(device);
						LOG.warn("Kept the hour from {} of device {} as rolled up ({} readings): its minutes are"
								+ " partly deleted (retention), a late reading in it counts in its minute only", hour,
								device, row.getLong(2));
					}
				}, arguments.toArray());
	}

	private void rollUpDay(LocalDate day, Set<String> devices) {
		Instant start = day.atStartOfDay(this.zone).toInstant();
		Instant end = day.plusDays(1).atStartOfDay(this.zone).toInstant();
		for (List<String> some : chunks(devices)) {
			Map<String, DayTotals> totals = new HashMap<>();
			List<Object> arguments = new ArrayList<>(some);
			arguments.add(0, Utc.column(start));
			arguments.add(1, Utc.column(end));
			this.jdbc.query("select device_id, hour_start, " + LevelTotals.COLUMNS
					+ " from level_hours where hour_start >= ? and hour_start < ? and device_id in ("
					+ LevelMinutes.marks(some.size()) + ")", (row) -> {
						Instant hour = Utc.instant(row, 2);
						LevelTotals sum = LevelTotals.of(row, 3);
						totals.computeIfAbsent(row.getString(1), (device) -> new DayTotals())
							.add(this.periods.of(hour), sum);
					}, arguments.toArray());
			List<Object> rows = new ArrayList<>(totals.size() * 18);
			totals.forEach((device, sum) -> {
				rows.add(device);
				rows.add(day);
				rows.add(Utc.column(start));
				rows.add(Utc.column(end));
				rows.addAll(Arrays.asList(sum.values()));
			});
			upsert("insert into level_days (device_id, day, day_start, day_end, " + DayTotals.COLUMNS + ") values ",
					"(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", totals.size(), DayTotals.COLUMNS, rows);
		}
	}

	/** One multi-row insert-or-update that replaces the given columns: one statement, whatever the driver. */
	private void upsert(String insert, String row, int rowCount, String columns, List<Object> values) {
		if (rowCount == 0) {
			return;
		}
		this.jdbc.update(this.upsert.statement(insert + String.join(", ", Collections.nCopies(rowCount, row)),
				this.upsert.replacing(columns)), values.toArray());
	}

	private static void add(Map<String, LevelTotals> totals, String device, LevelTotals part) {
		totals.merge(device, part, LevelTotals::add);
	}

	private static List<List<String>> chunks(Set<String> devices) {
		List<String> all = new ArrayList<>(devices);
		List<List<String>> chunks = new ArrayList<>();
		for (int i = 0; i < all.size(); i += DEVICES_PER_QUERY) {
			chunks.add(all.subList(i, Math.min(all.size(), i + DEVICES_PER_QUERY)));
		}
		return chunks;
	}

	private static int count(Map<?, Set<String>> devices) {
		return devices.values().stream().mapToInt(Set::size).sum();
	}

	private void passQuietly() {
		try {
			// a backlog (the passes were off, or failed for a while) is taken in passes one after the other
			for (int i = 0; i < 100 && pass() == Pass.MORE && this.passes != null; i++) {
				LOG.debug("Level roll-up: more changed minutes wait, passing again");
			}
			if (this.failing) {
				LOG.info("Level roll-up passes again");
				this.failing = false;
			}
		}
		catch (RuntimeException ex) {
			// once per episode: the database away is seen by health; the next pass makes up for this one
			if (!this.failing) {
				LOG.warn("Level roll-up pass failed, trying again every {}: {}", this.settings.period(),
						ex.toString());
				this.failing = true;
			}
		}
	}

	@Override
	public void start() {
		if (!this.settings.enabled()) {
			return;
		}
		ScheduledExecutorService passes = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "level-rollup");
			thread.setDaemon(true);
			return thread;
		});
		this.passes = passes;
		long period = this.settings.period().toMillis();
		passes.scheduleWithFixedDelay(this::passQuietly, period, period, TimeUnit.MILLISECONDS);
	}

	@Override
	public void stop() {
		ScheduledExecutorService passes = this.passes;
		this.passes = null;
		if (passes == null) {
			return;
		}
		// a pass interrupted rolls back: the next one, here or on another relay, does its work again
		passes.shutdownNow();
		try {
			passes.awaitTermination(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public boolean isRunning() {
		return this.passes != null;
	}

	/** A day's totals, and those of its day, evening and night periods apart. */
	private static final class DayTotals {

		static final String COLUMNS = LevelTotals.COLUMNS + ", day_energy, day_measured_ms, evening_energy,"
				+ " evening_measured_ms, night_energy, night_measured_ms";

		final LevelTotals all = new LevelTotals();

		final double[] energy = new double[3];

		final long[] measuredMs = new long[3];

		void add(Period period, LevelTotals hour) {
			this.all.add(hour);
			this.energy[period.ordinal()] += hour.energy;
			this.measuredMs[period.ordinal()] += hour.measuredMs;
		}

		Object[] values() {
			Object[] all = this.all.values();
			Object[] values = new Object[all.length + 6];
			System.arraycopy(all, 0, values, 0, all.length);
			for (int i = 0; i < 3; i++) {
				values[all.length + 2 * i] = this.energy[i];
				values[all.length + 2 * i + 1] = this.measuredMs[i];
			}
			return values;
		}

	}

}
