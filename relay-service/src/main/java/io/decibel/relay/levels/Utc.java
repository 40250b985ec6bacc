package io.decibel.relay.levels;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * The level tables' {@code datetime(6)} columns hold UTC: bound and read as local date-times in UTC, which both
 * drivers (MariaDB's and Connector/J) pass through unchanged, whatever the JVM's or the session's time zone.
 */
final class Utc {

	private Utc() {
	}

	static LocalDateTime column(Instant instant) {
		return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
	}

	static Instant instant(ResultSet row, int column) throws SQLException {
		return row.getObject(column, LocalDateTime.class).toInstant(ZoneOffset.UTC);
	}

}
