package io.decibel.relay.database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Calendar;
import java.util.TimeZone;

import com.zaxxer.hikari.HikariDataSource;
import io.decibel.testsupport.TestInfrastructure;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connector/J's settings, added to {@code jdbc:mysql://} data sources only, and what they do on a server that
 * Connector/J speaks to at the JDBC level (the embedded MariaDB 11, where the relay refuses Connector/J only because
 * Hibernate cannot read its metadata through it: {@code RelayConnectorJRefusalTests}).
 */
class ConnectorJDefaultsTests {

	final ConnectorJDefaults defaults = new ConnectorJDefaults();

	@Test
	void addsConnectorJsSettingsToAJdbcMysqlUrlOnly() {
		HikariDataSource mysql = dataSource("jdbc:mysql://mysql:3306/decibel");
		HikariDataSource mariadb = dataSource("jdbc:mariadb://mariadb:3306/decibel");

		this.defaults.postProcessAfterInitialization(mysql, "dataSource");
		this.defaults.postProcessAfterInitialization(mariadb, "dataSource");

		assertThat(mysql.getDataSourceProperties()).containsEntry("rewriteBatchedStatements", "true")
			.containsEntry("useLocalSessionState", "true")
			.containsEntry("connectionTimeZone", "UTC");
		assertThat(mariadb.getDataSourceProperties()).isEmpty();
	}

	@Test
	void leavesWhatTheUrlOrTheDataSourcePropertiesSetAlone() {
		HikariDataSource dataSource = dataSource("jdbc:mysql://mysql:3306/decibel?rewriteBatchedStatements=false");
		dataSource.addDataSourceProperty("connectionTimeZone", "Europe/Paris");

		this.defaults.postProcessAfterInitialization(dataSource, "dataSource");

		assertThat(dataSource.getDataSourceProperties()).doesNotContainKey("rewriteBatchedStatements")
			.containsEntry("connectionTimeZone", "Europe/Paris")
			.containsEntry("useLocalSessionState", "true");
	}

	@Test
	void aBatchGoesToTheServerAsOneInsertWithItsMicroseconds() throws SQLException {
		// given: Connector/J with the relay's settings, on the embedded server
		String url = TestInfrastructure.embeddedDatabase()
			.jdbcUrl(TestInfrastructure.uniqueName("connectorj"))
			.replaceFirst("^jdbc:mariadb:", "jdbc:mysql:");
		Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusNanos(123_456_000);
		Calendar utc = Calendar.getInstance(TimeZone.getTimeZone("UTC"));
		try (HikariDataSource dataSource = dataSource(url)) {
			this.defaults.postProcessAfterInitialization(dataSource, "dataSource");
			try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
				statement.execute("create table batch_probe (seq int primary key, at datetime(6) not null)");
				long insertsBefore = comInsert(statement);

				// when: 50 rows in one JDBC batch
				try (PreparedStatement insert = connection.prepareStatement("insert into batch_probe values (?, ?)")) {
					for (int seq = 0; seq < 50; seq++) {
						insert.setInt(1, seq);
						insert.setTimestamp(2, Timestamp.from(at.plus(seq, ChronoUnit.MICROS)), utc);
						insert.addBatch();
					}
					insert.executeBatch();
				}

				// then: one INSERT statement on the server, and each row's time to the microsecond
				assertThat(comInsert(statement) - insertsBefore).isOne();
				try (ResultSet rows = statement.executeQuery("select seq, cast(at as char) from batch_probe")) {
					int count = 0;
					while (rows.next()) {
						count++;
						assertThat(Instant.parse(rows.getString(2).replace(' ', 'T') + "Z"))
							.isEqualTo(at.plus(rows.getInt(1), ChronoUnit.MICROS));
					}
					assertThat(count).isEqualTo(50);
				}
			}
		}
	}

	private static long comInsert(Statement statement) throws SQLException {
		try (ResultSet status = statement.executeQuery("show session status like 'Com_insert'")) {
			status.next();
			return status.getLong(2);
		}
	}

	private static HikariDataSource dataSource(String url) {
		HikariDataSource dataSource = new HikariDataSource();
		dataSource.setJdbcUrl(url);
		dataSource.setUsername(TestInfrastructure.dbUsername());
		dataSource.setPassword(TestInfrastructure.dbPassword());
		return dataSource;
	}

}
