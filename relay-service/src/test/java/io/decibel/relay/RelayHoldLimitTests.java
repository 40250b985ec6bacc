package io.decibel.relay;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.testsupport.PersistentMosquitto;
import io.decibel.testsupport.TestInfrastructure;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * On Mosquitto, a broker of the test's own, with the database slow: the relay holds no more unacknowledged deliveries
 * than its limit, turns the rest away without acknowledging them, and — once it has stored what it held — renews its
 * connection, on which the broker sends them again. Every reading ends up stored once. The limit is below the
 * relay's Receive Maximum, so that any broker keeping to the window overruns it too.
 */
@SpringBootTest(properties = { "decibel.relay.batch-size=5", "decibel.mqtt.receive-maximum=50",
		"decibel.relay.max-unacknowledged=" + RelayHoldLimitTests.LIMIT })
@DirtiesContext
class RelayHoldLimitTests {

	static final int LIMIT = 20;

	static final int READINGS = 200;

	static final String ROOT = TestInfrastructure.uniqueName("held");

	static final Topics TOPICS = new Topics(ROOT);

	static final String DATABASE = TestInfrastructure.uniqueName("relay");

	static PersistentMosquitto broker;

	final TelemetryCodec codec = new TelemetryCodec();

	@Autowired
	MeterRegistry meters;

	@BeforeAll
	static void startBroker() throws Exception {
		assumeThat(PersistentMosquitto.isInstalled()).as("mosquitto is installed").isTrue();
		Path dir = Files.createTempDirectory("decibel-held-mosquitto-");
		broker = PersistentMosquitto.start(dir);
	}

	@AfterAll
	static void stopBroker() {
		if (broker != null) {
			broker.close();
		}
	}

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		RelayTestProperties.register(registry, () -> broker.url(), ROOT, DATABASE);
	}

	@Test
	void holdsNoMoreThanItsLimitAndHasTheBrokerSendTheRestAgainOnARenewedConnection() throws Exception {
		await().until(() -> this.meters.get("decibel.relay.mqtt.connections").functionCounter().count() == 1);
		try (MqttTestClient device = MqttTestClient.connect(broker.url()); Connection lock = database()) {
			// given: the database slow — the readings table locked, the writer waiting inside its first batch
			try (Statement statement = lock.createStatement()) {
				statement.execute("lock tables readings write");
			}

			// when
			for (int n = 0; n < READINGS; n++) {
				String deviceId = "held-" + (n % 4);
				device.publish(TOPICS.readings(deviceId), this.codec.encode(RelayTests.reading(deviceId, n / 4)), null,
						null);
			}

			// then: the relay holds no more than its limit and turns the rest away, unacknowledged
			await().atMost(Duration.ofSeconds(30)).until(() -> counter("decibel.relay.deliveries.turned.away") > 0);
			assertThat(gauge("decibel.relay.deliveries.unacknowledged")).isLessThanOrEqualTo(LIMIT);

			// when: the database answers again
			try (Statement statement = lock.createStatement()) {
				statement.execute("unlock tables");
			}
		}

		// then: every reading stored, once — what was turned away came again on a renewed connection
		try (Connection connection = database()) {
			await().atMost(Duration.ofSeconds(120)).until(() -> rows(connection, "count(*)") == READINGS);
			assertThat(rows(connection, "count(distinct device_id, seq)")).isEqualTo(READINGS);
		}
		assertThat(gauge("decibel.relay.deliveries.unacknowledged.peak")).isLessThanOrEqualTo(LIMIT);
		assertThat(counter("decibel.relay.mqtt.renewals")).isPositive();
		LoggerFactory.getLogger(RelayHoldLimitTests.class)
			.info("Limit {} of a Receive Maximum of 50, {} readings: at most {} held, {} deliveries turned away, {} "
					+ "connection renewals, {} connections", LIMIT, READINGS,
					gauge("decibel.relay.deliveries.unacknowledged.peak"),
					counter("decibel.relay.deliveries.turned.away"), counter("decibel.relay.mqtt.renewals"),
					counter("decibel.relay.mqtt.connections"));
	}

	private static Connection database() throws Exception {
		return DriverManager.getConnection(TestInfrastructure.jdbcUrl(DATABASE), TestInfrastructure.dbUsername(),
				TestInfrastructure.dbPassword());
	}

	private static long rows(Connection connection, String what) throws Exception {
		try (Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("select " + what + " from readings")) {
			rows.next();
			return rows.getLong(1);
		}
	}

	private double gauge(String name) {
		return this.meters.get(name).gauge().value();
	}

	private double counter(String name) {
		return this.meters.get(name).functionCounter().count();
	}

}
