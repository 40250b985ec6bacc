package io.decibel.relay;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.relay.MqttTestClient.Received;
import io.decibel.relay.readings.StoredReadingRepository;
import io.decibel.stack.EmbeddedDatabase;
import io.decibel.testsupport.TestInfrastructure;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.integration.mqtt.event.MqttSubscribedEvent;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * The database goes away while devices keep sending: the relay takes no more from the broker than it can hold, its
 * MQTT client's threads never wait for the database, and it stays on one connection — with a keep-alive of 2 s and
 * an outage of several times that.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "decibel.mqtt.keep-alive=2s", "decibel.relay.batch-size=20",
				"decibel.mqtt.receive-maximum=" + RelayBackPressureTests.RECEIVE_MAXIMUM })
class RelayBackPressureTests {

	/** Below Mosquitto's default window of its own (20), so that the relay's is the one that counts there too. */
	static final int RECEIVE_MAXIMUM = 10;

	static final String ROOT = TestInfrastructure.uniqueName("pressure");

	static final Topics TOPICS = new Topics(ROOT);

	final TelemetryCodec codec = new TelemetryCodec();

	final JsonMapper json = JsonMapper.builder().build();

	@Autowired
	StoredReadingRepository repository;

	@Autowired
	Connections connections;

	@Autowired
	MeterRegistry meters;

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		RelayTestProperties.register(registry, ROOT);
	}

	@Test
	void takesNoMoreThanItsReceiveMaximumFromTheBrokerWhileTheDatabaseIsAway() throws Exception {
		assumeThat(TestInfrastructure.usesExternalDatabase()).as("stops the embedded database").isFalse();
		EmbeddedDatabase database = TestInfrastructure.embeddedDatabase();
		await().until(() -> "UP".equals(component("mqtt")) && unacknowledged() == 0);
		double receivedBefore = received();
		long storedBefore = this.repository.count();
		int sent = 20 * RECEIVE_MAXIMUM;
		try (MqttTestClient device = MqttTestClient.connect()) {
			BlockingQueue<Received> acks = device.subscribe(TOPICS.acks("quiet"));
			database.stop();
			try {
				// the server may still answer a moment after the stop returns: send nothing it could still store
				await().atMost(Duration.ofSeconds(30)).until(() -> "DOWN".equals(component("db")));

				// when
				for (int seq = 0; seq < sent; seq++) {
					device.publish(TOPICS.readings("quiet"), this.codec.encode(RelayTests.reading("quiet", seq)), null,
							null);
				}

				// then: the relay holds no more than its Receive Maximum; the rest wait in the broker
				await().during(Duration.ofSeconds(3))
					.atMost(Duration.ofSeconds(10))
					.until(() -> unacknowledged() <= RECEIVE_MAXIMUM
							&& received() - receivedBefore <= RECEIVE_MAXIMUM);
				assertThat(acks).isEmpty();
			}
			finally {
				database.start();
			}

			// then: once the database is back, every reading is stored once and acknowledged, and the broker never
			// had more out to the relay than its window, not even in the rush that follows an outage
			Set<Long> acked = new HashSet<>();
			await().atMost(Duration.ofSeconds(60)).until(() -> {
				for (Received ack = acks.poll(); ack != null; ack = acks.poll()) {
					acked.add(this.json.readTree(ack.payload()).path("seq").asLong());
				}
				return acked.size() == sent;
			});
			assertThat(this.repository.count()).isEqualTo(storedBefore + sent);
			logPeak();
		}
	}

	@Test
	void staysOnOneConnectionThroughADatabaseOutageUnderLoadAndStoresEverythingOnce() throws Exception {
		assumeThat(TestInfrastructure.usesExternalDatabase()).as("stops the embedded database").isFalse();
		EmbeddedDatabase database = TestInfrastructure.embeddedDatabase();
		await().until(() -> "UP".equals(component("mqtt")));
		int connected = this.connections.subscribed.get();
		long storedBefore = this.repository.count();
		try (MqttTestClient device = MqttTestClient.connect()) {
			BlockingQueue<Received> acks = device.subscribe(TOPICS.acks("+"));
			Load load = new Load(device, 100);
			Thread sender = new Thread(load, "test-load");
			sender.start();
			Set<String> mqttStates = ConcurrentHashMap.newKeySet();
			Set<String> dbStates = ConcurrentHashMap.newKeySet();
			try {
				// when: the database is away for five keep-alive intervals while readings keep coming
				await().until(() -> load.sent() > 50);
				database.stop();
				long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
				while (System.nanoTime() < until) {
					mqttStates.add(component("mqtt"));
					dbStates.add(component("db"));
					Thread.sleep(250);
				}
				database.start();
				await().atMost(Duration.ofSeconds(30)).until(() -> "UP".equals(component("db")));
				Thread.sleep(1000);
			}
			finally {
				load.running.set(false);
				sender.join();
				database.start();
			}

			// then: every reading stored once and acknowledged, on the connection the relay had before; the device
			// re-sends what has no ACK after a while, as devices do (a broker's queue may be full: Mosquitto keeps
			// 1,000 messages per client by default and drops the rest)
			Map<String, byte[]> unacknowledged = new ConcurrentHashMap<>(load.readings);
			AtomicLong resendAt = new AtomicLong(System.nanoTime() + Duration.ofSeconds(10).toNanos());
			await().atMost(Duration.ofSeconds(120)).until(() -> {
				for (Received ack = acks.poll(); ack != null; ack = acks.poll()) {
					JsonNode answer = this.json.readTree(ack.payload());
					unacknowledged.remove(answer.path("deviceId").asString() + "/" + answer.path("seq").asLong());
				}
				if (!unacknowledged.isEmpty() && System.nanoTime() - resendAt.get() > 0) {
					for (Map.Entry<String, byte[]> reading : unacknowledged.entrySet()) {
						device.publish(TOPICS.readings(reading.getKey().split("/")[0]), reading.getValue(), null, null);
					}
					resendAt.set(System.nanoTime() + Duration.ofSeconds(10).toNanos());
				}
				return unacknowledged.isEmpty();
			});
			assertThat(this.repository.count()).isEqualTo(storedBefore + load.sent());
			assertThat(dbStates).contains("DOWN");
			assertThat(mqttStates).containsOnly("UP");
			assertThat(this.connections.subscribed.get()).isEqualTo(connected);
			logPeak();
		}
	}

	private double received() {
		return this.meters.get("decibel.relay.readings.received").counter().count();
	}

	/** Once the database is back, HiveMQ keeps to the window; Mosquitto 2.0 goes beyond it (docs/architecture.md). */
	private void logPeak() {
		LoggerFactory.getLogger(RelayBackPressureTests.class)
			.info("Receive Maximum {}: the relay held at most {} unacknowledged deliveries, {} taken beyond the window",
					RECEIVE_MAXIMUM, this.meters.get("decibel.relay.deliveries.unacknowledged.peak").gauge().value(),
					this.meters.get("decibel.relay.deliveries.beyond.window").functionCounter().count());
	}

	private double unacknowledged() {
		return this.meters.get("decibel.relay.deliveries.unacknowledged").gauge().value();
	}

	private String component(String name) throws Exception {
		String body = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/actuator/health")).build(),
					HttpResponse.BodyHandlers.ofString())
			.body();
		return this.json.readTree(body).path("components").path(name).path("status").asString();
	}

	/** A few devices sending readings at a steady rate, in order, until told to stop. */
	private final class Load implements Runnable {

		/** What was sent, by {@code deviceId/seq}. */
		final Map<String, byte[]> readings = new ConcurrentHashMap<>();

		final AtomicBoolean running = new AtomicBoolean(true);

		private final MqttTestClient device;

		private final long periodNanos;

		Load(MqttTestClient device, int perSecond) {
			this.device = device;
			this.periodNanos = Duration.ofSeconds(1).toNanos() / perSecond;
		}

		int sent() {
			return this.readings.size();
		}

		@Override
		public void run() {
			long next = System.nanoTime();
			try {
				for (int n = 0; this.running.get(); n++) {
					String deviceId = "loud-" + (n % 5);
					byte[] payload = RelayBackPressureTests.this.codec.encode(RelayTests.reading(deviceId, n / 5));
					this.device.publish(TOPICS.readings(deviceId), payload, null, null);
					this.readings.put(deviceId + "/" + (n / 5), payload);
					next += this.periodNanos;
					long wait = next - System.nanoTime();
					if (wait > 0) {
						Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
					}
				}
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		}

	}

	/** Counts the relay's subscriptions: one per connection it made. */
	@TestConfiguration(proxyBeanMethods = false)
	static class ConnectionCounting {

		@Bean
		Connections connections() {
			return new Connections();
		}

	}

	static class Connections {

		final AtomicInteger subscribed = new AtomicInteger();

		@EventListener
		void subscribed(MqttSubscribedEvent event) {
			this.subscribed.incrementAndGet();
		}

	}

}
