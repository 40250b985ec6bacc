package io.decibel.relay;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.testsupport.TestInfrastructure;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A device that publishes its readings at QoS 0 (the contract says QoS 1) while the database is slow: the Receive
 * Maximum does not hold QoS 0 back, so the relay holds such deliveries to its own limit, waits for room no longer than
 * {@code max-hold-wait}, and drops the rest — counted — rather than queue them without bound. The device, getting no ACK for a dropped one, sends it again, and it is
 * stored then.
 */
@SpringBootTest(properties = { "decibel.relay.batch-size=5",
		"decibel.relay.max-unacknowledged=" + RelayAtMostOnceTests.LIMIT, "decibel.relay.max-hold-wait=1s" })
@DirtiesContext
class RelayAtMostOnceTests {

	static final int LIMIT = 20;

	static final int READINGS = 300;

	static final String ROOT = TestInfrastructure.uniqueName("qos0");

	static final Topics TOPICS = new Topics(ROOT);

	static final String DATABASE = TestInfrastructure.uniqueName("relay");

	final TelemetryCodec codec = new TelemetryCodec();

	@Autowired
	MeterRegistry meters;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		RelayTestProperties.register(registry, TestInfrastructure::mqttUrl, ROOT, DATABASE);
	}

	@Test
	void holdsQosZeroDeliveriesToItsLimitAndDropsTheRestUntilTheDeviceSendsThemAgain() throws Exception {
		await().until(() -> this.meters.get("decibel.relay.mqtt.connections").functionCounter().count() == 1);
		AtomicInteger mostHeld = new AtomicInteger();
		try (MqttTestClient device = MqttTestClient.connect(); Connection lock = database()) {
			// given: the database slow — the readings table locked, the writer waiting inside its first batch
			try (Statement statement = lock.createStatement()) {
				statement.execute("lock tables readings write");
			}

			// when
			publishAll(device, mostHeld);

			// then: no more held than the limit, the rest dropped and counted
			await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10)).until(() -> {
				mostHeld.accumulateAndGet((int) gauge("decibel.relay.deliveries.qos0.held"), Math::max);
				return counter("decibel.relay.deliveries.qos0.dropped") > 0;
			});
			assertThat(mostHeld.get()).isBetween(1, LIMIT);
			assertThat(gauge("decibel.relay.deliveries.unacknowledged")).isZero();

			// when: the database answers again, and the device sends again, round after round, what is not stored
			// (what got no ACK)
			try (Statement statement = lock.createStatement()) {
				statement.execute("unlock tables");
			}
			try (Connection connection = database()) {
				await().atMost(Duration.ofSeconds(90)).pollDelay(Duration.ZERO).until(() -> {
					await().atMost(Duration.ofSeconds(30))
						.until(() -> gauge("decibel.relay.deliveries.qos0.held") == 0);
					Set<String> stored = stored(connection);
					if (stored.size() == READINGS) {
						return true;
					}
					publish(device, mostHeld, stored);
					return false;
				});

				// then: every reading stored, once
				assertThat(rows(connection, "count(*)")).isEqualTo(READINGS);
				assertThat(rows(connection, "count(distinct device_id, seq)")).isEqualTo(READINGS);
			}
		}
		assertThat(mostHeld.get()).isLessThanOrEqualTo(LIMIT);
	}

	private void publishAll(MqttTestClient device, AtomicInteger mostHeld) throws Exception {
		publish(device, mostHeld, Set.of());
	}

	/** Publishes every reading not among those stored. */
	private void publish(MqttTestClient device, AtomicInteger mostHeld, Set<String> stored) throws Exception {
		for (int n = 0; n < READINGS; n++) {
			String deviceId = "qos0-" + (n % 4);
			if (!stored.contains(deviceId + "/" + (n / 4))) {
				device.publishAtMostOnce(TOPICS.readings(deviceId),
						this.codec.encode(RelayTests.reading(deviceId, n / 4)));
				mostHeld.accumulateAndGet((int) gauge("decibel.relay.deliveries.qos0.held"), Math::max);
			}
		}
	}

	private static Set<String> stored(Connection connection) throws Exception {
		Set<String> stored = new HashSet<>();
		try (Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("select device_id, seq from readings")) {
			while (rows.next()) {
				stored.add(rows.getString(1) + "/" + rows.getLong(2));
			}
		}
		return stored;
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
