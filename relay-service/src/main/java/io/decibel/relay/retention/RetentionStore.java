package io.decibel.relay.retention;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.decibel.relay.database.InsertOrUpdate;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The deletes of retention, one chunk per transaction, each in the order of the table's time index. Read committed:
 * InnoDB then locks the rows a chunk deletes and no gaps, so the writers of new readings never wait for it.
 * <p>
 * Times are bound as UTC text ({@code yyyy-MM-dd HH:mm:ss.SSSSSS}), as the columns hold them: MySQL Connector/J on
 * MariaDB cuts the fraction off a bound {@code Instant}.
 */
@Component
class RetentionStore {

	private static final DateTimeFormatter DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS")
		.withZone(ZoneOffset.UTC);

	private final JdbcTemplate jdbc;

	private final InsertOrUpdate upsert;

	private final TransactionTemplate chunk;

	RetentionStore(JdbcTemplate jdbc, InsertOrUpdate upsert, PlatformTransactionManager transactions) {
		this.jdbc = jdbc;
		this.upsert = upsert;
		this.chunk = new TransactionTemplate(transactions);
		this.chunk.setIsolationLevel(TransactionDefinition.ISOLATION_READ_COMMITTED);
	}

	/**
	 * Deletes the oldest stored readings, up to {@code limit}, stored before {@code before}, and moves each device's
	 * horizon to one above the highest seq deleted. Four statements, however many devices the chunk holds.
	 * <p>
	 * A device's reading stored late (a re-send after an outage, stored after readings numbered after it) may stay
	 * below the horizon until it is old enough itself: the delivery figures leave it out.
	 */
	ReadingsChunk deleteReadings(Instant before, int limit) {
		return this.chunk.execute((status) -> {
			// the oldest first, locked: a second relay running retention waits, then takes the next chunk
			Map<String, List<Long>> seqs = new TreeMap<>();
			this.jdbc.query("select device_id, seq from readings where stored_at < ?"
					+ " order by stored_at, device_id, seq limit ? for update", (row) -> {
						seqs.computeIfAbsent(row.getString(1), (device) -> new ArrayList<>()).add(row.getLong(2));
					}, text(before), limit);
			if (seqs.isEmpty()) {
				return new ReadingsChunk(0, 0, List.of());
			}
			String devices = String.join(",", Collections.nCopies(seqs.size(), "?"));
			Map<String, Long> horizons = new HashMap<>();
			// in the primary key's order in every chunk: two relays' chunks cannot deadlock on the horizons
			this.jdbc.query("select device_id, retained_from from reading_horizons where device_id in (" + devices
					+ ") order by device_id for update",
					(row) -> {
						horizons.put(row.getString(1), row.getLong(2));
					}, seqs.keySet().toArray());
			// the same rows, locked above, in the same order
			int deleted = this.jdbc.update(
					"delete from readings where stored_at < ? order by stored_at, device_id, seq limit ?",
					text(before), limit);
			List<ReadingsRetired> retired = new ArrayList<>(seqs.size());
			List<Object> values = new ArrayList<>(2 * seqs.size());
			for (Map.Entry<String, List<Long>> device : seqs.entrySet()) {
				long horizon = horizons.getOrDefault(device.getKey(), 0L);
				long highest = horizon - 1;
				long aboveHorizon = 0;
				for (long seq : device.getValue()) {
					if (seq >= horizon) {
						aboveHorizon++;
						highest = Math.max(highest, seq);
					}
				}
				retired.add(new ReadingsRetired(device.getKey(), highest + 1, aboveHorizon));
				values.add(device.getKey());
				values.add(highest + 1);
			}
			this.jdbc.update(this.upsert.statement("insert into reading_horizons (device_id, retained_from) values "
					+ String.join(",", Collections.nCopies(seqs.size(), "(?, ?)")),
					"retained_from = greatest(reading_horizons.retained_from, "
							+ this.upsert.inserted("retained_from") + ")"),
					values.toArray());
			return new ReadingsChunk(selected(seqs), deleted, retired);
		});
	}

	private static int selected(Map<String, List<Long>> seqs) {
		return seqs.values().stream().mapToInt(List::size).sum();
	}

	/**
	 * @param selected the old readings the chunk took ({@code limit}: there may be more)
	 * @param deleted the rows it deleted
	 * @param devices per device, what went
	 */
	record ReadingsChunk(int selected, int deleted, List<ReadingsRetired> devices) {
	}

	/** Deletes the oldest refused payloads, up to {@code limit}, received before {@code before}. */
	int deleteQuarantine(Instant before, int limit) {
		return update("delete from quarantine where received_at < ? order by received_at limit ?", before, limit);
	}

	/** Deletes the oldest minute aggregates, up to {@code limit}, of minutes that began before {@code before}. */
	int deleteMinutes(Instant before, int limit) {
		return update("delete from level_minutes where minute_start < ? order by minute_start limit ?", before,
				limit);
	}

	/** When the oldest reading kept was stored; {@code null} when none is. */
	@Nullable Instant oldestReading() {
		String oldest = this.jdbc.queryForObject(
				"select date_format(min(stored_at), '%Y-%m-%d %H:%i:%s.%f') from readings", String.class);
		return (oldest != null) ? DATETIME.parse(oldest, Instant::from) : null;
	}

	private int update(String sql, Instant before, int limit) {
		Integer deleted = this.chunk.execute((status) -> this.jdbc.update(sql, text(before), limit));
		return (deleted != null) ? deleted : 0;
	}

	private static String text(Instant instant) {
		return DATETIME.format(instant);
	}

}
