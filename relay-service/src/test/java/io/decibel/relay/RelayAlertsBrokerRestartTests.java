package io.decibel.relay;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;

import io.decibel.contract.Ack;
import io.decibel.contract.AckStatus;
import io.decibel.contract.Alert;
import io.decibel.contract.Reading;
import io.decibel.contract.SoundLevels;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.relay.MqttTestClient.Received;
import io.decibel.testsupport.PersistentMosquitto;
import io.decibel.testsupport.TestInfrastructure;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.integration.mqtt.core.Mqttv5ClientManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * Alert changes published at QoS 1 across a broker restart (Mosquitto, its persistence kept): one alert raised and
 * cleared twice on the device's topic (from the second publish on, Paho sends the topic alias alone), a third raised
 * just before the broker stops — published, in flight or still in the outbox — and cleared after it is back. Every
 * change arrives, the outbox is empty, and the broker never refused a publish (a stale topic alias is a protocol
 * error to it).
 */
class RelayAlertsBrokerRestartTests {

	static final String ROOT = TestInfrastructure.uniqueName("alerts");

	static final Topics TOPICS = new Topics(ROOT);

	static final String DEVICE = "porch";

	final TelemetryCodec codec = new TelemetryCodec();

	final String jdbcUrl = TestInfrastructure.jdbcUrl(TestInfrastructure.uniqueName("alerts"));

	final Instant noon = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofHours(12));

	@Test
	void publishesEveryAlertChangeAcrossABrokerRestart() throws Exception {
		assumeThat(PersistentMosquitto.isInstalled()).as("mosquitto is installed").isTrue();
		Path dir = Files.createTempDirectory("decibel-alerts-mosquitto-");
		Set<String> changes = ConcurrentHashMap.newKeySet();
		try (PersistentMosquitto broker = PersistentMosquitto.start(dir);
				ConfigurableApplicationContext relay = startRelay(broker.url())) {
			// a consumer with a session of its own: what comes while it reconnects waits for it in the broker
			MqttAsyncClient watcher = watch(broker.url(), changes);
			try {
				// given: two alerts raised and cleared
				try (MqttTestClient device = MqttTestClient.connect(broker.url())) {
					send(device, 0, 70, 50, 70, 50);
				}
				await().atMost(Duration.ofSeconds(30)).until(() -> changes.size() == 4);

				// when: a third raised, and the broker stopped at once, then started again
				try (MqttTestClient device = MqttTestClient.connect(broker.url())) {
					send(device, 4, 70);
				}
				broker.stop();
				broker.start();
				Mqttv5ClientManager relayConnection = relay.getBean(Mqttv5ClientManager.class);
				await().atMost(Duration.ofSeconds(60)).until(() -> relayConnection.getClient().isConnected());
				try (MqttTestClient device = MqttTestClient.connect(broker.url())) {
					send(device, 5, 50);
				}

				// then
				await().atMost(Duration.ofSeconds(60)).until(() -> changes.size() == 6);
				assertThat(changes).containsExactlyInAnyOrder("1 RAISED", "1 CLEARED", "2 RAISED", "2 CLEARED",
						"3 RAISED", "3 CLEARED");
				await().atMost(Duration.ofSeconds(30)).until(() -> unpublished() == 0);
				assertThat(broker.logLines()).noneMatch((line) -> line.contains("protocol error"));
			}
			finally {
				watcher.disconnect().waitForCompletion(5000);
				watcher.close();
			}
		}
	}

	/** A reading per minute from noon yesterday on, each stored before the next is sent. */
	private void send(MqttTestClient device, int firstMinute, double... levels) throws Exception {
		BlockingQueue<Received> acks = device.subscribe(TOPICS.acks(DEVICE));
		for (int i = 0; i < levels.length; i++) {
			int minute = firstMinute + i;
			Instant sampledAt = this.noon.plus(Duration.ofMinutes(minute)).plusSeconds(30);
			Reading reading = new Reading(DEVICE, minute, sampledAt, 1000, 1234.5, 20 * Math.log10(1234.5 / 32768),
					4000, "synthetic", new SoundLevels(levels[i], levels[i] + 5, levels[i] - 10, levels[i] + 2,
							levels[i], levels[i] - 5, true));
			device.publish(TOPICS.readings(DEVICE), this.codec.encode(reading), null, null);
			Ack ack = this.codec.decodeAck(MqttTestClient.next(acks).payload().getBytes());
			assertThat(ack.status()).isEqualTo(AckStatus.STORED);
		}
	}

	private MqttAsyncClient watch(String url, Set<String> changes) throws Exception {
		MqttAsyncClient watcher = new MqttAsyncClient(url, TestInfrastructure.uniqueName("watcher"),
				new MemoryPersistence());
		MqttConnectionOptions options = new MqttConnectionOptions();
		options.setCleanStart(false);
		options.setSessionExpiryInterval(3600L);
		options.setAutomaticReconnect(true);
		options.setAutomaticReconnectDelay(1, 2);
		watcher.connect(options).waitForCompletion(10_000);
		IMqttMessageListener listener = (topic, message) -> {
			Alert alert = this.codec.decodeAlert(message.getPayload());
			changes.add(alert.id() + " " + alert.change());
		};
		watcher.subscribe(new MqttSubscription[] { new MqttSubscription(TOPICS.alert(DEVICE), 1) }, null, null,
				new IMqttMessageListener[] { listener }, null)
			.waitForCompletion(10_000);
		return watcher;
	}

	private ConfigurableApplicationContext startRelay(String url) {
		List<String> arguments = List.of("--server.port=0", "--decibel.mqtt.url=" + url,
				"--decibel.mqtt.topic-root=" + ROOT,
				"--decibel.mqtt.client-id=" + TestInfrastructure.uniqueName("relay"),
				"--spring.datasource.url=" + this.jdbcUrl,
				"--spring.datasource.username=" + TestInfrastructure.dbUsername(),
				"--spring.datasource.password=" + TestInfrastructure.dbPassword(),
				"--decibel.relay.alerts.interval=200ms", "--decibel.relay.alerts.grace=1s", "--decibel.relay.alerts.look-back=2d",
				"--decibel.relay.alerts.rules[0].name=loud", "--decibel.relay.alerts.rules[0].metric=laeq",
				"--decibel.relay.alerts.rules[0].limit=60", "--decibel.relay.alerts.rules[0].duration=1m");
		return new SpringApplicationBuilder(RelayApplication.class).run(arguments.toArray(String[]::new));
	}

	private long unpublished() throws Exception {
		try (Connection connection = DriverManager.getConnection(this.jdbcUrl, TestInfrastructure.dbUsername(),
				TestInfrastructure.dbPassword());
				Statement statement = connection.createStatement();
				ResultSet result = statement
					.executeQuery("select count(*) from alert_outbox where published_at is null")) {
			result.next();
			return result.getLong(1);
		}
	}

}
