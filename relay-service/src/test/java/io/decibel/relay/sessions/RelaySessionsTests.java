package io.decibel.relay.sessions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.decibel.contract.Ack;
import io.decibel.contract.Reading;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.relay.RelayApplication;
import io.decibel.testsupport.TestInfrastructure;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A relay killed while in the share group leaves its session behind; a live relay adopts it: what the broker held
 * for the gone relay is stored and answered, though the device never sends it again, and the session is ended.
 */
class RelaySessionsTests {

	static final String ROOT = TestInfrastructure.uniqueName("sessions");

	static final Topics TOPICS = new Topics(ROOT);

	static final int READINGS = 40;

	final TelemetryCodec codec = new TelemetryCodec();

	final String jdbcUrl = TestInfrastructure.jdbcUrl(TestInfrastructure.uniqueName("sessions"));

	final String goneClientId = TestInfrastructure.uniqueName("relay-gone");

	@Test
	void storesWhatTheBrokerHeldForAKilledRelayAndEndsItsSession() throws Exception {
		try (ConfigurableApplicationContext relay = startRelay()) {
			// given: a relay that subscribed in the group with a persistent session, registered, then was killed
			MqttAsyncClient gone = new MqttAsyncClient(TestInfrastructure.mqttUrl(), this.goneClientId,
					new MemoryPersistence());
			gone.setManualAcks(true);
			MqttConnectionOptions options = new MqttConnectionOptions();
			options.setCleanStart(false);
			options.setSessionExpiryInterval(86_400L);
			gone.connect(options).waitForCompletion(10_000);
			gone.subscribe(new MqttSubscription(TOPICS.sharedReadings("relay"), 1)).waitForCompletion(10_000);
			gone.disconnectForcibly(0, 1000, false);
			gone.close(true);
			register(this.goneClientId);

			// when: a device that never sends a reading twice publishes readings
			BlockingQueue<Ack> acks = new LinkedBlockingQueue<>();
			MqttClient device = new MqttClient(TestInfrastructure.mqttUrl(), TestInfrastructure.uniqueName("device"),
					new MemoryPersistence());
			try {
				device.connect();
				IMqttMessageListener listener = (topic, message) -> acks.add(this.codec.decodeAck(message.getPayload()));
				device.subscribe(new MqttSubscription[] { new MqttSubscription(TOPICS.acks("attic"), 0) },
						new IMqttMessageListener[] { listener });
				for (int seq = 0; seq < READINGS; seq++) {
					MqttMessage message = new MqttMessage(this.codec.encode(reading(seq)));
					message.setQos(1);
					device.publish(TOPICS.readings("attic"), message);
				}

				// then: every reading answered STORED, the gone relay's share too, and its session ended
				Map<Long, String> statuses = new HashMap<>();
				while (statuses.size() < READINGS) {
					Ack ack = acks.poll(30, TimeUnit.SECONDS);
					assertThat(ack).as("an ACK; answered so far: " + statuses.keySet()).isNotNull();
					statuses.putIfAbsent(ack.seq(), ack.status().name());
				}
				assertThat(statuses.values()).containsOnly("STORED");
			}
			finally {
				device.disconnect();
				device.close();
			}
			await().atMost(Duration.ofSeconds(30)).until(() -> !registered(this.goneClientId));
			assertThat(sessionPresent(this.goneClientId)).as("the gone relay's session left in the broker").isFalse();
		}
	}

	private ConfigurableApplicationContext startRelay() {
		// Mosquitto discards what an ended session held: drain it; HiveMQ gives it to the live members by itself
		String handOver = TestInfrastructure.usesExternalBroker() ? "drain" : "end";
		return new SpringApplicationBuilder(RelayApplication.class).run("--server.port=0",
				"--decibel.mqtt.url=" + TestInfrastructure.mqttUrl(), "--decibel.mqtt.topic-root=" + ROOT,
				"--decibel.mqtt.client-id=" + TestInfrastructure.uniqueName("relay-live"),
				"--decibel.relay.sessions.heartbeat=500ms", "--decibel.relay.sessions.dead-after=2s",
				"--decibel.relay.sessions.hand-over=" + handOver, "--spring.datasource.url=" + this.jdbcUrl,
				"--spring.datasource.username=" + TestInfrastructure.dbUsername(),
				"--spring.datasource.password=" + TestInfrastructure.dbPassword());
	}

	/** As the gone relay did while it lived; its last beat is long past. */
	private void register(String clientId) throws Exception {
		try (Connection connection = connect();
				PreparedStatement insert = connection.prepareStatement(
						"insert into relay_sessions (client_id, share_topic, beat_at) values (?, ?, now(6) - interval 1 hour)")) {
			insert.setString(1, clientId);
			insert.setString(2, TOPICS.sharedReadings("relay"));
			insert.executeUpdate();
		}
	}

	private boolean registered(String clientId) throws Exception {
		try (Connection connection = connect();
				PreparedStatement select = connection
					.prepareStatement("select count(*) from relay_sessions where client_id = ?")) {
			select.setString(1, clientId);
			try (ResultSet result = select.executeQuery()) {
				result.next();
				return result.getLong(1) > 0;
			}
		}
	}

	private Connection connect() throws Exception {
		return DriverManager.getConnection(this.jdbcUrl, TestInfrastructure.dbUsername(),
				TestInfrastructure.dbPassword());
	}

	private static boolean sessionPresent(String clientId) throws Exception {
		MqttAsyncClient client = new MqttAsyncClient(TestInfrastructure.mqttUrl(), clientId, new MemoryPersistence());
		MqttConnectionOptions options = new MqttConnectionOptions();
		options.setCleanStart(false);
		options.setSessionExpiryInterval(0L);
		IMqttToken token = client.connect(options);
		token.waitForCompletion(10_000);
		boolean present = token.getSessionPresent();
		client.disconnect().waitForCompletion(10_000);
		client.close();
		return present;
	}

	private static Reading reading(long seq) {
		return new Reading("attic", seq, Instant.now().truncatedTo(ChronoUnit.MILLIS), 1000, 1234.5,
				20 * Math.log10(1234.5 / 32768), 4000, "synthetic");
	}

}
