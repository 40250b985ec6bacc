package io.decibel.relay;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import io.decibel.contract.Topics;
import io.decibel.testsupport.MqttLinkProxy;
import io.decibel.testsupport.PersistentMosquitto;
import io.decibel.testsupport.TestInfrastructure;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * A broker that overruns the relay's window hands it a backlog many times its hold limit at once: the relay takes it
 * as fast as it stores it, holding the broker back meanwhile (its MQTT client stops reading), and does not have the
 * broker send the backlog again and again. Every reading stored once and answered, the relay never holding more than
 * its limit, and at most one renewal of its connection.
 * <p>
 * On a Mosquitto of the test's own with {@code max_inflight_messages 0}: it sends a session's whole queue as soon as
 * the relay is back, whatever the relay's Receive Maximum (set below the limit here, so that a broker keeping to it
 * would never overrun the limit). The backlog is published while the link between the relay and the broker is down,
 * by devices that never send a reading again. Skipped where {@code mosquitto} is not installed.
 */
@SpringBootTest(properties = { "decibel.mqtt.receive-maximum=100",
		"decibel.relay.max-unacknowledged=" + RelayWindowOverrunTests.LIMIT })
@DirtiesContext
class RelayWindowOverrunTests {

	static final int LIMIT = 200;

	static final int DEVICES = 4;

	static final int PER_DEVICE = 1_000;

	static final String ROOT = TestInfrastructure.uniqueName("overrun");

	static final Topics TOPICS = new Topics(ROOT);

	static final String DATABASE = TestInfrastructure.uniqueName("relay");

	static PersistentMosquitto broker;

	static MqttLinkProxy proxy;

	@Autowired
	MeterRegistry meters;

	@Autowired
	@Qualifier("mqttHealthIndicator")
	HealthIndicator mqtt;

	@BeforeAll
	static void startBroker() throws Exception {
		assumeThat(PersistentMosquitto.isInstalled()).as("mosquitto is installed").isTrue();
		broker = PersistentMosquitto.start(Files.createTempDirectory("decibel-overrun-mosquitto-"),
				"max_inflight_messages 0\n");
		proxy = MqttLinkProxy.start(broker.url());
	}

	@AfterAll
	static void stopBroker() {
		if (proxy != null) {
			proxy.close();
		}
		if (broker != null) {
			broker.close();
		}
	}

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		RelayTestProperties.register(registry, () -> proxy.url(), ROOT, DATABASE);
	}

	@Test
	void takesABacklogManyTimesItsLimitWithoutHavingTheBrokerSendItAgain() throws Exception {
		await().atMost(Duration.ofSeconds(30)).until(() -> Status.UP.equals(this.mqtt.health().getStatus()));
		int total = DEVICES * PER_DEVICE;
		try (OnceDevices devices = OnceDevices.connect(broker.url(), TOPICS, DEVICES, "overrun")) {
			// given: a backlog in the relay's session, the relay away
			proxy.refuse(true);
			await().atMost(Duration.ofSeconds(30)).until(() -> !Status.UP.equals(this.mqtt.health().getStatus()));
			devices.publish(PER_DEVICE);

			// when: the relay is back, and the broker sends it all
			proxy.refuse(false);

			// then
			await().atMost(Duration.ofSeconds(180)).untilAsserted(() -> assertThat(devices.answered())
				.as("readings answered of %d (renewals %.0f, turned away %.0f)", total,
						counter("decibel.relay.mqtt.renewals"), counter("decibel.relay.deliveries.turned.away"))
				.isEqualTo(total));
		}
		try (Connection connection = DriverManager.getConnection(TestInfrastructure.jdbcUrl(DATABASE),
				TestInfrastructure.dbUsername(), TestInfrastructure.dbPassword())) {
			assertThat(rows(connection, "count(*)")).isEqualTo(total);
			assertThat(rows(connection, "count(distinct device_id, seq)")).isEqualTo(total);
		}
		LoggerFactory.getLogger(RelayWindowOverrunTests.class)
			.info("A backlog of {} with a limit of {}: at most {} held, {} taken beyond the window, {} waited for room, "
					+ "{} turned away, {} renewals", total, LIMIT, gauge("decibel.relay.deliveries.unacknowledged.peak"),
					counter("decibel.relay.deliveries.beyond.window"), counter("decibel.relay.deliveries.waited"),
					counter("decibel.relay.deliveries.turned.away"), counter("decibel.relay.mqtt.renewals"));
		assertThat(counter("decibel.relay.deliveries.beyond.window")).as("deliveries beyond the window").isPositive();
		assertThat(gauge("decibel.relay.deliveries.unacknowledged.peak")).isLessThanOrEqualTo(LIMIT);
		assertThat(counter("decibel.relay.mqtt.renewals")).as("renewals").isLessThanOrEqualTo(1);
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
