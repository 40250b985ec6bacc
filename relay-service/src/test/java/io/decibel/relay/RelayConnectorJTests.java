package io.decibel.relay;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.BlockingQueue;

import javax.sql.DataSource;

import io.decibel.contract.Reading;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.relay.MqttTestClient.Received;
import io.decibel.testsupport.TestInfrastructure;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.dialect.Dialect;
import org.hibernate.dialect.MariaDBDialect;
import org.hibernate.dialect.MySQLDialect;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The relay through MySQL Connector/J ({@code jdbc:mysql://}, the compose file's driver) on the tests' MySQL server
 * ({@code DECIBEL_TEST_JDBC_URL}; in CI's second pass MySQL 9.7, {@code .ci/mysql}): MySQL's own dialect, every
 * timestamp stored to the microsecond, as the ACK says, and a reading that differs from the stored one by a
 * microsecond is a CONFLICT. On MariaDB the relay refuses Connector/J ({@code RelayConnectorJRefusalTests}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@EnabledIfEnvironmentVariable(named = "DECIBEL_TEST_JDBC_URL", matches = "jdbc:mysql:.+",
		disabledReason = "needs a MySQL server (a jdbc:mysql:// DECIBEL_TEST_JDBC_URL)")
class RelayConnectorJTests {

	static final String ROOT = TestInfrastructure.uniqueName("relaycj");

	static final Topics TOPICS = new Topics(ROOT);

	static final DateTimeFormatter MICROSECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS")
		.withZone(ZoneOffset.UTC);

	final TelemetryCodec codec = new TelemetryCodec();

	final JsonMapper json = JsonMapper.builder().build();

	@Autowired
	DataSource dataSource;

	@Autowired
	EntityManagerFactory entityManagerFactory;

	MqttTestClient device;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		RelayTestProperties.register(registry, ROOT);
		registry.add("spring.datasource.url", () -> TestInfrastructure.jdbcUrl(TestInfrastructure.uniqueName("relaycj"))
			.replaceFirst("^jdbc:[a-z]+:", "jdbc:mysql:"));
	}

	@BeforeEach
	void connectDevice() throws Exception {
		this.device = MqttTestClient.connect();
	}

	@AfterEach
	void disconnectDevice() throws Exception {
		this.device.close();
	}

	@Test
	void runsOnConnectorJWithMySqlsOwnDialect() throws Exception {
		String server;
		String driver;
		try (var connection = this.dataSource.getConnection()) {
			server = connection.getMetaData().getDatabaseProductVersion();
			driver = connection.getMetaData().getDriverName() + " " + connection.getMetaData().getDriverVersion();
		}
		assertThat(driver).startsWith("MySQL Connector/J");
		Dialect dialect = this.entityManagerFactory.unwrap(SessionFactoryImplementor.class)
			.getJdbcServices()
			.getDialect();
		assertThat(dialect).isInstanceOf(MySQLDialect.class).isNotInstanceOf(MariaDBDialect.class);
		assertThat(server).doesNotContain("MariaDB")
			.startsWith(dialect.getVersion().getDatabaseMajorVersion() + "."
					+ dialect.getVersion().getDatabaseMinorVersion() + ".");
		// CI's log names the server its second pass ran on
		System.out.println("DATABASE server " + server + " through " + driver);
	}

	@Test
	void storesTheMicrosecondsTheAckSaysAndTellsReadingsApartByOne() throws Exception {
		// given: a reading sampled at .123456 s
		Instant sampledAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusNanos(123_456_000);
		Reading reading = new Reading("cj-kitchen", 1, sampledAt, 1000, 1234.5, -28.5, 4000, "synthetic");
		BlockingQueue<Received> acks = this.device.subscribe(TOPICS.acks("cj-kitchen"));

		// when
		publish(reading, "first");
		JsonNode stored = this.json.readTree(MqttTestClient.next(acks).payload());

		// then: the row holds the sampling time and the storage time of the ACK, to the microsecond (read as text, so
		// that no driver's decoding is involved)
		assertThat(stored.path("status").asString()).isEqualTo("STORED");
		Instant storedAt = Instant.parse(stored.path("storedAt").asString());
		assertThat(row("cj-kitchen", 1)).containsExactly(MICROSECONDS.format(sampledAt),
				MICROSECONDS.format(storedAt));
		assertThat(storedAt.getNano() % 1_000_000_000).as("a storage time with a fraction, as the clock gives it")
			.isNotZero();

		// when: the same reading again, and another one a microsecond later under the same seq
		publish(reading, "again");
		JsonNode again = this.json.readTree(MqttTestClient.next(acks).payload());
		publish(new Reading("cj-kitchen", 1, sampledAt.plusNanos(1_000), reading.windowMs(), reading.rms(),
				reading.dbfs(), reading.peak(), reading.source()), "other");
		JsonNode other = this.json.readTree(MqttTestClient.next(acks).payload());

		// then
		assertThat(again.path("status").asString()).isEqualTo("DUPLICATE");
		assertThat(Instant.parse(again.path("storedAt").asString())).isEqualTo(storedAt);
		assertThat(other.path("status").asString()).isEqualTo("CONFLICT");
		assertThat(row("cj-kitchen", 1)).containsExactly(MICROSECONDS.format(sampledAt),
				MICROSECONDS.format(storedAt));
	}

	private String[] row(String deviceId, long seq) {
		return new JdbcTemplate(this.dataSource).queryForObject(
				"select cast(sampled_at as char), cast(stored_at as char) from readings where device_id = ? and seq = ?",
				(rows, n) -> new String[] { rows.getString(1), rows.getString(2) }, deviceId, seq);
	}

	private void publish(Reading reading, String correlation) throws Exception {
		this.device.publish(TOPICS.readings(reading.deviceId()), this.codec.encode(reading),
				TOPICS.acks(reading.deviceId()), correlation);
	}

}
