package io.decibel.relay;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.testsupport.MqttLinkProxy;
import io.decibel.testsupport.MqttLinkProxy.Direction;
import io.decibel.testsupport.MqttLinkProxy.Packet;
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
 * On Mosquitto, a broker of the test's own, with the database stuck: the relay holds no more unacknowledged deliveries
 * than its limit, waits for room no longer than {@code max-hold-wait}, then turns the rest away without acknowledging
 * them, and — once it has stored what it held — renews its connection, on which the broker sends them again. Every reading ends up stored once. The limit is below the
 * relay's Receive Maximum, so that any broker keeping to the window overruns it too.
 * <p>
 * The relay reaches the broker through a proxy that records every packet: a renewal fences before its DISCONNECT —
 * an UNSUBSCRIBE whose UNSUBACK comes only once the broker has processed all written before it, every reply and
 * PUBACK of the connection — and the next connection opens only after the DISCONNECT.
 */
@SpringBootTest(properties = { "decibel.relay.batch-size=5", "decibel.mqtt.receive-maximum=50",
		"decibel.relay.max-unacknowledged=" + RelayHoldLimitTests.LIMIT, "decibel.relay.max-hold-wait=1s" })
@DirtiesContext
class RelayHoldLimitTests {

	static final int LIMIT = 20;

	static final int CONNECT = 1;

	static final int UNSUBSCRIBE = 10;

	static final int UNSUBACK = 11;

	static final int READINGS = 200;

	static final String ROOT = TestInfrastructure.uniqueName("held");

	static final Topics TOPICS = new Topics(ROOT);

	static final String DATABASE = TestInfrastructure.uniqueName("relay");

	static PersistentMosquitto broker;

	static MqttLinkProxy proxy;

	final TelemetryCodec codec = new TelemetryCodec();

	@Autowired
	MeterRegistry meters;

	@BeforeAll
	static void startBroker() throws Exception {
		assumeThat(PersistentMosquitto.isInstalled()).as("mosquitto is installed").isTrue();
		Path dir = Files.createTempDirectory("decibel-held-mosquitto-");
		broker = PersistentMosquitto.start(dir);
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

			// then: the relay holds no more than its limit, waits for room, and once the wait is over turns the rest
			// away, unacknowledged
			await().atMost(Duration.ofSeconds(30)).until(() -> counter("decibel.relay.deliveries.turned.away") > 0);
			assertThat(gauge("decibel.relay.deliveries.unacknowledged")).isLessThanOrEqualTo(LIMIT);
			assertThat(counter("decibel.relay.deliveries.waited")).isPositive();

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
		assertRenewalsFenced();
		LoggerFactory.getLogger(RelayHoldLimitTests.class)
			.info("Limit {} of a Receive Maximum of 50, {} readings: at most {} held, {} deliveries turned away, {} "
					+ "connection renewals, {} connections", LIMIT, READINGS,
					gauge("decibel.relay.deliveries.unacknowledged.peak"),
					counter("decibel.relay.deliveries.turned.away"), counter("decibel.relay.mqtt.renewals"),
					counter("decibel.relay.mqtt.connections"));
	}

	/** Each connection the relay ended with a DISCONNECT (a renewal) fenced it, and the next opened after it. */
	private static void assertRenewalsFenced() {
		List<Packet> packets = proxy.packets();
		List<Integer> renewed = packets.stream()
			.filter((packet) -> packet.direction() == Direction.UPSTREAM && packet.type() == MqttLinkProxy.DISCONNECT)
			.map(Packet::connection)
			.toList();
		assertThat(renewed).as("connections the relay renewed").isNotEmpty();
		for (int connection : renewed) {
			List<Packet> on = packets.stream().filter((packet) -> packet.connection() == connection).toList();
			List<Integer> upstream = on.stream()
				.filter((packet) -> packet.direction() == Direction.UPSTREAM)
				.map(Packet::type)
				.toList();
			// the relay's last packets: UNSUBSCRIBE, then DISCONNECT; every reply and PUBACK before them
			assertThat(upstream.subList(upstream.size() - 2, upstream.size())).as("connection %d", connection)
				.containsExactly(UNSUBSCRIBE, MqttLinkProxy.DISCONNECT);
			int unsubscribe = indexOf(on, Direction.UPSTREAM, UNSUBSCRIBE);
			int unsuback = indexOf(on, Direction.DOWNSTREAM, UNSUBACK);
			int disconnect = indexOf(on, Direction.UPSTREAM, MqttLinkProxy.DISCONNECT);
			assertThat(unsuback).as("the UNSUBACK, between the UNSUBSCRIBE and the DISCONNECT")
				.isGreaterThan(unsubscribe)
				.isLessThan(disconnect);
			// the relay's next connection (its CONNECT: the relay has another client, for $SYS) after the DISCONNECT
			int disconnectAt = packets.indexOf(on.get(disconnect));
			String clientId = clientId(on.get(0));
			packets.stream()
				.filter((packet) -> packet.connection() > connection && packet.type() == CONNECT
						&& clientId.equals(clientId(packet)))
				.findFirst()
				.ifPresent((next) -> assertThat(packets.indexOf(next)).isGreaterThan(disconnectAt));
		}
	}

	/** The client id of a CONNECT (MQTT 5 §3.1.3.1: the payload's first field). */
	private static String clientId(Packet connect) {
		assertThat(connect.type()).isEqualTo(CONNECT);
		byte[] bytes = connect.bytes();
		int at = 1;
		while ((bytes[at++] & 0x80) != 0) {
			// the remaining length
		}
		// protocol name "MQTT", version, flags, keep-alive
		at += 2 + 4 + 1 + 1 + 2;
		int properties = 0;
		int multiplier = 1;
		int digit;
		do {
			digit = bytes[at++] & 0xFF;
			properties += (digit & 0x7F) * multiplier;
			multiplier *= 128;
		}
		while ((digit & 0x80) != 0);
		at += properties;
		int length = ((bytes[at] & 0xFF) << 8) | (bytes[at + 1] & 0xFF);
		return new String(bytes, at + 2, length, StandardCharsets.UTF_8);
	}

	private static int indexOf(List<Packet> packets, Direction direction, int type) {
		for (int i = 0; i < packets.size(); i++) {
			if (packets.get(i).direction() == direction && packets.get(i).type() == type) {
				return i;
			}
		}
		return -1;
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
