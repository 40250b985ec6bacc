package io.decibel.relay.database;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Calendar;
import java.util.TimeZone;

import javax.sql.DataSource;

import org.springframework.beans.factory.InitializingBean;

/**
 * Refuses to start with a driver that would corrupt the readings' timestamps, before the repositories exist and the
 * first reading is taken. MySQL Connector/J ({@code jdbc:mysql://}) on MariaDB is refused outright: on MariaDB 10 it
 * takes the handshake version {@code 5.5.5-10.…} for a MySQL 5.5, which had no fractional seconds, and cuts them off
 * every timestamp it sends (no setting turns that off); on MariaDB 11 it asks for metadata that MariaDB lacks
 * ({@code information_schema.KEYWORDS}) and Hibernate cannot start. Any other driver and server must give back a
 * timestamp's microseconds in a round trip: otherwise a row would say {@code 09.000000} where the ACK said
 * {@code 09.52…}, and a reading sent again would no longer compare equal to the one stored.
 */
class DatabaseDriverCheck implements InitializingBean {

	static final Instant PROBE = Instant.parse("2000-01-01T00:00:00.123456Z");

	private static final String USE_MARIADB_DRIVER = "For MariaDB, use MariaDB's own driver: a jdbc:mariadb:// URL"
			+ " (spring.datasource.url, e.g. jdbc:mariadb://host:3306/decibel).";

	private final DataSource dataSource;

	DatabaseDriverCheck(DataSource dataSource) {
		this.dataSource = dataSource;
	}

	@Override
	public void afterPropertiesSet() throws SQLException {
		try (Connection connection = this.dataSource.getConnection()) {
			DatabaseMetaData database = connection.getMetaData();
			String driver = database.getDriverName() + " " + database.getDriverVersion();
			String server = database.getDatabaseProductVersion();
			// MariaDB's driver calls itself "MariaDB Connector/J"
			if (driver.startsWith("MySQL Connector/J") && server.contains("MariaDB")) {
				throw new IllegalStateException("MySQL Connector/J (jdbc:mysql://) does not work with MariaDB (server "
						+ server + "): on MariaDB 10 it cuts the fractional seconds off every timestamp, on MariaDB 11"
						+ " it asks for metadata that MariaDB lacks. " + USE_MARIADB_DRIVER);
			}
			Instant back = roundTrip(connection);
			if (!PROBE.equals(back)) {
				throw new IllegalStateException("The database driver " + driver + " on server " + server + " stores "
						+ PROBE + " as " + back + ": it cuts the fractional seconds off every timestamp. "
						+ USE_MARIADB_DRIVER);
			}
		}
	}

	private static Instant roundTrip(Connection connection) throws SQLException {
		Calendar utc = Calendar.getInstance(TimeZone.getTimeZone("UTC"));
		try (PreparedStatement query = connection.prepareStatement("select cast(? as datetime(6))")) {
			query.setTimestamp(1, Timestamp.from(PROBE), utc);
			try (ResultSet result = query.executeQuery()) {
				result.next();
				return result.getTimestamp(1, utc).toInstant();
			}
		}
	}

}
