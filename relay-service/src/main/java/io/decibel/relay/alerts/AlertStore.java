package io.decibel.relay.alerts;

import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

import io.decibel.contract.Alert;
import io.decibel.contract.AlertChange;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.relay.alerts.AlertSettings.Rule;
import io.decibel.relay.database.InsertOrUpdate;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.stereotype.Component;

/**
 * The alerts' tables (V10__alerts.sql): the evaluation lock, each rule's state per device, the alerts and their
 * outbox. Instants are stored as UTC, as everywhere in the relay's schema. Callers hold the transaction.
 */
@Component
class AlertStore {

	private final JdbcTemplate jdbc;

	private final InsertOrUpdate upsert;

	private final TelemetryCodec codec;

	private final Topics topics;

	AlertStore(JdbcTemplate jdbc, InsertOrUpdate upsert, TelemetryCodec codec, Topics topics) {
		this.jdbc = jdbc;
		this.upsert = upsert;
		this.codec = codec;
		this.topics = topics;
	}

	/**
	 * Waits for the relays evaluating before this one, and keeps the others waiting until the commit; notes when this
	 * evaluation began, by the database's clock.
	 */
	EvaluationLock lockEvaluation() {
		LocalDateTime previous = this.jdbc.queryForObject(
				"select evaluated_at from alert_evaluation where id = 1 for update", LocalDateTime.class);
		LocalDateTime began = this.jdbc.queryForObject("select utc_timestamp(6)", LocalDateTime.class);
		this.jdbc.update("update alert_evaluation set evaluated_at = ? where id = 1", began);
		return new EvaluationLock((previous != null) ? previous.toInstant(ZoneOffset.UTC) : null,
				began.toInstant(ZoneOffset.UTC));
	}

	/**
	 * @param previous when the evaluation before this one began, by the database's clock; {@code null} for the first
	 * @param began when this one began, by the database's clock
	 */
	record EvaluationLock(@Nullable Instant previous, Instant began) {
	}

	/** Devices whose minutes any relay wrote since then (the database's clock: {@code level_minutes.updated_at}). */
	Set<String> devicesWrittenSince(Instant since) {
		return new HashSet<>(this.jdbc.queryForList(
				"select distinct device_id from level_minutes where updated_at >= ?", String.class, utc(since)));
	}

	/** Devices with a run over a limit going on or an alert open: a time window may end for them. */
	Set<String> activeDevices() {
		return new HashSet<>(this.jdbc.queryForList(
				"select distinct device_id from alert_states where over_minutes > 0 or alert_id is not null",
				String.class));
	}

	Map<String, RuleState> states(String deviceId) {
		Map<String, RuleState> states = new HashMap<>();
		this.jdbc.query("select rule, next_minute, over_minutes, first_over, level, alert_id from alert_states"
				+ " where device_id = ?", (row) -> {
					double level = row.getDouble("level");
					level = row.wasNull() ? Double.NaN : level;
					states.put(row.getString("rule"), new RuleState(instant(row, "next_minute"),
							row.getInt("over_minutes"), nullableInstant(row, "first_over"),
							level, row.getObject("alert_id", Long.class)));
				}, deviceId);
		return states;
	}

	void save(String rule, String deviceId, RuleState state) {
		this.jdbc.update(this.upsert.statement("insert into alert_states (rule, device_id, next_minute, over_minutes,"
				+ " first_over, level, alert_id) values (?, ?, ?, ?, ?, ?, ?)",
				this.upsert.replacing("next_minute, over_minutes, first_over, level, alert_id")), rule,
				deviceId, utc(state.next()), state.overMinutes(), utcOrNull(state.firstOver()),
				Double.isNaN(state.level()) ? null : state.level(), state.alertId());
	}

	/** A device's minutes from {@code from} that start before {@code before}, every relay's parts added up. */
	NavigableMap<Instant, MinuteLevels> minutes(String deviceId, Instant from, Instant before) {
		NavigableMap<Instant, MinuteLevels> minutes = new TreeMap<>();
		this.jdbc.query("select minute_start, measured_ms, energy, lafmax, histogram from level_minutes"
				+ " where device_id = ? and minute_start >= ? and minute_start < ?", (row) -> {
					minutes.computeIfAbsent(instant(row, "minute_start"), (start) -> new MinuteLevels())
						.add(row.getLong("measured_ms"), row.getDouble("energy"), row.getDouble("lafmax"),
								row.getString("histogram"));
				}, deviceId, utc(from), utc(before));
		return minutes;
	}

	/** When the relays last stored a reading of the device (the readings' index on device and stored_at). */
	@Nullable Instant lastStored(String deviceId) {
		LocalDateTime last = this.jdbc.queryForObject("select max(stored_at) from readings where device_id = ?",
				LocalDateTime.class, deviceId);
		return (last != null) ? last.toInstant(ZoneOffset.UTC) : null;
	}

	/** A new alert and its change in the outbox. */
	long raise(Rule rule, String deviceId, Instant raisedAt, double level, Instant now) {
		KeyHolder key = new GeneratedKeyHolder();
		this.jdbc.update((connection) -> {
			PreparedStatement insert = connection.prepareStatement("insert into alerts (rule, device_id, metric,"
					+ " limit_db, raised_at, level) values (?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS);
			insert.setString(1, rule.name());
			insert.setString(2, deviceId);
			insert.setString(3, rule.metric().label());
			insert.setDouble(4, rule.limit());
			insert.setObject(5, utc(raisedAt));
			insert.setDouble(6, level);
			return insert;
		}, key);
		long id = key.getKey().longValue();
		outbox(new Alert(id, AlertChange.RAISED, rule.name(), deviceId, rule.metric().label(), rule.limit(),
				raisedAt, null, level), now);
		return id;
	}

	void level(long alertId, double level) {
		this.jdbc.update("update alerts set level = ? where id = ?", level, alertId);
	}

	void clear(long alertId, Instant clearedAt, double level, Instant now) {
		this.jdbc.update("update alerts set cleared_at = ?, level = ? where id = ?", utc(clearedAt), level, alertId);
		outbox(alert(alertId, AlertChange.CLEARED), now);
	}

	private void outbox(Alert alert, Instant now) {
		this.jdbc.update("insert into alert_outbox (alert_id, alert_change, topic, payload, created_at)"
				+ " values (?, ?, ?, ?, ?)", alert.id(), alert.change().name(), this.topics.alert(alert.deviceId()),
				new String(this.codec.encode(alert), StandardCharsets.UTF_8), utc(now));
	}

	private Alert alert(long id, AlertChange change) {
		return this.jdbc.queryForObject("select id, rule, device_id, metric, limit_db, raised_at, cleared_at, level"
				+ " from alerts where id = ?", (row, n) -> new Alert(row.getLong("id"), change, row.getString("rule"),
						row.getString("device_id"), row.getString("metric"), row.getDouble("limit_db"),
						instant(row, "raised_at"), nullableInstant(row, "cleared_at"), row.getDouble("level")),
				id);
	}

	record Unpublished(long id, String topic, String payload) {
	}

	/** The oldest changes not yet published, locked: another relay's publisher waits until these are marked. */
	List<Unpublished> lockUnpublished(int limit) {
		return this.jdbc.query("select id, topic, payload from alert_outbox where published_at is null order by id"
				+ " limit ? for update", (row, n) -> new Unpublished(row.getLong("id"), row.getString("topic"),
						row.getString("payload")),
				limit);
	}

	void published(long outboxId, Instant at) {
		this.jdbc.update("update alert_outbox set published_at = ? where id = ?", utc(at), outboxId);
	}

	long openAlerts() {
		Long open = this.jdbc.queryForObject("select count(*) from alerts where cleared_at is null", Long.class);
		return (open != null) ? open : 0;
	}

	/** As {@code GET /api/alerts} shows them. */
	record AlertView(long id, String rule, String deviceId, String metric, double limit, Instant raisedAt,
			@Nullable Instant clearedAt, double level) {
	}

	/** Newest first. */
	List<AlertView> alerts(boolean openOnly, @Nullable String deviceId, int limit) {
		StringBuilder sql = new StringBuilder(
				"select id, rule, device_id, metric, limit_db, raised_at, cleared_at, level from alerts where 1 = 1");
		List<Object> arguments = new ArrayList<>();
		if (openOnly) {
			sql.append(" and cleared_at is null");
		}
		if (deviceId != null) {
			sql.append(" and device_id = ?");
			arguments.add(deviceId);
		}
		sql.append(" order by id desc limit ?");
		arguments.add(limit);
		return this.jdbc.query(sql.toString(),
				(row, n) -> new AlertView(row.getLong("id"), row.getString("rule"), row.getString("device_id"),
						row.getString("metric"), row.getDouble("limit_db"), instant(row, "raised_at"),
						nullableInstant(row, "cleared_at"), row.getDouble("level")),
				arguments.toArray());
	}

	private static LocalDateTime utc(Instant instant) {
		return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
	}

	private static @Nullable LocalDateTime utcOrNull(@Nullable Instant instant) {
		return (instant != null) ? utc(instant) : null;
	}

	private static Instant instant(ResultSet row, String column) throws SQLException {
		return row.getObject(column, LocalDateTime.class).toInstant(ZoneOffset.UTC);
	}

	private static @Nullable Instant nullableInstant(ResultSet row, String column) throws SQLException {
		LocalDateTime value = row.getObject(column, LocalDateTime.class);
		return (value != null) ? value.toInstant(ZoneOffset.UTC) : null;
	}

}
