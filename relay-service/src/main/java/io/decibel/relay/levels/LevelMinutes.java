package io.decibel.relay.levels;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.decibel.contract.Reading;
import io.decibel.relay.database.InsertOrUpdate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.integration.mqtt.core.Mqttv5ClientManager;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Adds the readings a transaction stores to this relay's part of their minutes ({@code level_minutes}, writer: the
 * relay's MQTT client id), in that transaction: a reading counts exactly when it is stored, never when it is answered
 * {@code DUPLICATE} or {@code CONFLICT}, and an attempt rolled back counts nothing. Only this relay's writer thread
 * writes its parts, so reading them and writing them back cannot lose another's update; the parts of other relays are
 * rows of their own, and no relay waits on another's locks. The parts of recent minutes are kept as committed, so a
 * transaction usually writes its minutes with one statement and no query.
 * <p>
 * Each part written gets the database's time ({@code updated_at = utc_timestamp(6)}), which tells the roll-up what
 * changed ({@link LevelRollup}). The roll-up looks back by a margin for parts committed after it looked; a commit
 * that comes more than half that margin after its parts were written sets their time again, so that none slips past.
 */
@Component
public class LevelMinutes {

	/** How far back from the newest minute written the parts stay cached. */
	static final Duration CACHED_MINUTES = Duration.ofMinutes(10);

	/** The most parts cached (a few kB each at most): beyond, the cache starts again. */
	static final int MAX_CACHED = 10_000;

	private static final Logger LOG = LoggerFactory.getLogger(LevelMinutes.class);

	private final JdbcTemplate jdbc;

	private final InsertOrUpdate upsert;

	private final TransactionTemplate retouch;

	private final String writer;

	private final Duration slowCommit;

	/**
	 * This writer's parts as committed, of recent minutes, so that most transactions need no query for them. Only the
	 * writer thread reads or changes it (after a commit); an entry is never changed, only replaced.
	 */
	private final Map<MinuteKey, LevelTotals> cache = new HashMap<>();

	private @Nullable Instant newestMinute;

	LevelMinutes(JdbcTemplate jdbc, InsertOrUpdate upsert, PlatformTransactionManager transactions,
			Mqttv5ClientManager clientManager, LevelRollupSettings rollup) {
		this.jdbc = jdbc;
		this.upsert = upsert;
		this.retouch = new TransactionTemplate(transactions);
		this.retouch.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		this.writer = clientManager.getClientId();
		this.slowCommit = rollup.margin().dividedBy(2);
	}

	/** This relay's name on its parts. */
	String writer() {
		return this.writer;
	}

	/**
	 * Within the transaction that stores them: one query for the parts the readings fall in, one batched write.
	 * @param stored the readings this transaction inserts
	 */
	public void add(List<Reading> stored) {
		if (stored.isEmpty()) {
			return;
		}
		Map<MinuteKey, LevelTotals> added = new LinkedHashMap<>();
		for (Reading reading : stored) {
			MinuteKey key = new MinuteKey(reading.deviceId(), reading.sampledAt().truncatedTo(ChronoUnit.MINUTES));
			added.computeIfAbsent(key, (k) -> new LevelTotals()).add(reading);
		}
		// this writer's parts as committed: from the cache, the rest in one query
		Map<MinuteKey, LevelTotals> parts = new HashMap<>();
		Set<MinuteKey> unknown = new LinkedHashSet<>();
		for (MinuteKey key : added.keySet()) {
			LevelTotals cached = this.cache.get(key);
			if (cached != null) {
				parts.put(key, cached);
			}
			else {
				unknown.add(key);
			}
		}
		if (!unknown.isEmpty()) {
			parts.putAll(parts(unknown));
		}
		Map<MinuteKey, LevelTotals> written = new HashMap<>();
		List<Object> arguments = new ArrayList<>(added.size() * 11);
		added.forEach((key, totals) -> {
			LevelTotals part = parts.get(key);
			// a new object: what is cached stays as committed, whatever becomes of this transaction
			LevelTotals sum = (part != null) ? new LevelTotals().add(part).add(totals) : totals;
			written.put(key, sum);
			arguments.add(key.deviceId());
			arguments.add(Utc.column(key.minuteStart()));
			arguments.add(this.writer);
			arguments.addAll(Arrays.asList(sum.values()));
		});
		long writing = System.nanoTime();
		// one multi-row statement, one round trip with either driver (Connector/J cannot rewrite a batch of
		// insert-or-updates whose update clause has parameters)
		this.jdbc.update(this.upsert.statement("insert into level_minutes (device_id, minute_start, writer, "
				+ LevelTotals.COLUMNS + ", updated_at) values " + String.join(", ", Collections.nCopies(added.size(),
						"(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, utc_timestamp(6))")),
				this.upsert.replacing(LevelTotals.COLUMNS + ", updated_at")), arguments.toArray());
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCommit() {
					cache(written);
					committed(added.keySet(), Duration.ofNanos(System.nanoTime() - writing));
				}

				// rolled back, or a commit whose outcome is unknown (the connection lost on the way): the table
				// decides, the next transaction reads these parts again
				@Override
				public void afterCompletion(int status) {
					if (status != STATUS_COMMITTED) {
						LevelMinutes.this.cache.keySet().removeAll(written.keySet());
					}
				}
			});
		}
	}

	/**
	 * Keeps the parts just committed, for the next transactions of recent minutes; a minute older than
	 * {@link #CACHED_MINUTES} before the newest goes once a newer minute comes.
	 */
	private void cache(Map<MinuteKey, LevelTotals> committed) {
		this.cache.putAll(committed);
		Instant newest = this.newestMinute;
		for (MinuteKey key : committed.keySet()) {
			if (newest == null || key.minuteStart().isAfter(newest)) {
				newest = key.minuteStart();
			}
		}
		if (!newest.equals(this.newestMinute)) {
			this.newestMinute = newest;
			Instant oldest = newest.minus(CACHED_MINUTES);
			this.cache.keySet().removeIf((key) -> key.minuteStart().isBefore(oldest));
		}
		if (this.cache.size() > MAX_CACHED) {
			this.cache.clear();
		}
	}

	/** This writer's parts among the keys (one query: a superset of devices and minutes, filtered here). */
	private Map<MinuteKey, LevelTotals> parts(Set<MinuteKey> keys) {
		Set<String> devices = new LinkedHashSet<>();
		Set<Instant> minutes = new LinkedHashSet<>();
		keys.forEach((key) -> {
			devices.add(key.deviceId());
			minutes.add(key.minuteStart());
		});
		List<Object> arguments = new ArrayList<>(1 + devices.size() + minutes.size());
		arguments.add(this.writer);
		arguments.addAll(devices);
		minutes.forEach((minute) -> arguments.add(Utc.column(minute)));
		Map<MinuteKey, LevelTotals> parts = new HashMap<>();
		this.jdbc.query("select device_id, minute_start, " + LevelTotals.COLUMNS
				+ " from level_minutes where writer = ? and device_id in (" + marks(devices.size())
				+ ") and minute_start in (" + marks(minutes.size()) + ")", (row) -> {
					MinuteKey key = new MinuteKey(row.getString(1), Utc.instant(row, 2));
					if (keys.contains(key)) {
						parts.put(key, LevelTotals.of(row, 3));
					}
				}, arguments.toArray());
		return parts;
	}

	/**
	 * A commit that came longer after its parts were written than the roll-up allows for: their time is set again, in
	 * a transaction of its own, so that the roll-up's next pass sees them as changed.
	 */
	private void committed(Set<MinuteKey> keys, Duration sinceWritten) {
		if (sinceWritten.compareTo(this.slowCommit) < 0) {
			return;
		}
		LOG.warn("A store transaction committed {} ms after writing its level minutes: marking them changed again for"
				+ " the roll-up", sinceWritten.toMillis());
		try {
			this.retouch.executeWithoutResult((status) -> this.jdbc.batchUpdate("update level_minutes"
					+ " set updated_at = utc_timestamp(6) where device_id = ? and minute_start = ? and writer = ?",
					keys.stream()
						.map((key) -> new Object[] { key.deviceId(), Utc.column(key.minuteStart()), this.writer })
						.toList()));
		}
		catch (RuntimeException ex) {
			LOG.error("Could not mark level minutes changed again; the hours and days of {} may miss readings until"
					+ " their minutes change again: {}", keys, ex.toString());
		}
	}

	static String marks(int count) {
		return String.join(", ", Collections.nCopies(count, "?"));
	}

	record MinuteKey(String deviceId, Instant minuteStart) {
	}

}
