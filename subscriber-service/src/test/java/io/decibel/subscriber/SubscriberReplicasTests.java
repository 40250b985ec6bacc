package io.decibel.subscriber;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import io.decibel.contract.DecodedReading;
import io.decibel.contract.Reading;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.testsupport.TestInfrastructure;
import io.micrometer.core.instrument.MeterRegistry;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.integration.mqtt.core.Mqttv5ClientManager;
import org.springframework.integration.mqtt.event.MqttSubscribedEvent;
import org.springframework.messaging.SubscribableChannel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Subscriber applications started in this JVM against a real broker, fed by a plain Paho client. Each watches the
 * {@code decodedReadings} channel of its application, so the tests see exactly what each replica showed.
 */
@ExtendWith(OutputCaptureExtension.class)
class SubscriberReplicasTests {

	private static final int N = 20;

	private final TelemetryCodec codec = new TelemetryCodec();

	private final List<Replica> replicas = new ArrayList<>();

	private Topics topics;

	private MqttClient device;

	@BeforeEach
	void connectDevice() throws Exception {
		this.topics = new Topics(TestInfrastructure.uniqueName("subscriber"));
		this.device = new MqttClient(TestInfrastructure.mqttUrl(), TestInfrastructure.uniqueName("device"),
				new MemoryPersistence());
		this.device.connect();
	}

	@AfterEach
	void stopAll() throws Exception {
		this.replicas.forEach((replica) -> replica.context().close());
		this.device.disconnect();
		this.device.close();
	}

	@Test
	void everyReplicaShowsEveryReadingWithItsOwnConnection() throws Exception {
		// given
		Replica first = startReplica();
		Replica second = startReplica();

		// when
		publishReadings("meter-1", N);

		// then
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			assertThat(first.seqs()).containsExactlyInAnyOrderElementsOf(seqs(N));
			assertThat(second.seqs()).containsExactlyInAnyOrderElementsOf(seqs(N));
		});
		assertThat(first.clientManager().getClientId()).isNotEqualTo(second.clientManager().getClientId());
		assertThat(first.clientManager().isConnected()).isTrue();
		assertThat(second.clientManager().isConnected()).isTrue();
		assertThat(first.count("shown")).isEqualTo(N);
	}

	@Test
	void aGroupSplitsTheReadingsBetweenItsMembers() throws Exception {
		// given
		Replica first = startReplica("--decibel.subscriber.group=watchers");
		Replica second = startReplica("--decibel.subscriber.group=watchers");

		// when
		publishReadings("meter-2", N);

		// then each reading went to exactly one member
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			Set<Long> all = new HashSet<>(first.seqs());
			all.addAll(second.seqs());
			assertThat(all).containsExactlyInAnyOrderElementsOf(seqs(N));
		});
		// how many each member gets is the broker's choice (HiveMQ may hand a whole burst to one member)
		assertThat(first.seqs().size() + second.seqs().size()).isEqualTo(N);
	}

	@Test
	void anUnreadablePayloadIsReportedAndTheFlowGoesOn(CapturedOutput output) throws Exception {
		// given
		Replica replica = startReplica();
		Instant sampledAt = Instant.parse("2026-03-01T10:15:30.250Z");

		// when
		publish("meter-3", reading("meter-3", 0, sampledAt));
		this.device.publish(this.topics.readings("meter-3"), "{not json".getBytes(StandardCharsets.UTF_8), 1, false);
		publish("meter-3", reading("meter-3", 1, sampledAt));

		// then
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(replica.seqs()).containsExactlyInAnyOrder(0L, 1L));
		assertThat(replica.count("unreadable")).isEqualTo(1);
		assertThat(output).contains("Unreadable reading on " + this.topics.readings("meter-3") + ": malformed JSON")
			.contains("Reading device=meter-3 seq=0 level=-42.5 dBFS sampled=2026-03-01T10:15:30.250Z")
			.contains("Reading device=meter-3 seq=1 level=-42.5 dBFS sampled=2026-03-01T10:15:30.250Z");
	}

	@Test
	void reportsItsMqttConnectionAsPartOfReadiness() throws Exception {
		// given
		Replica replica = startReplica();
		String port = replica.context().getEnvironment().getProperty("local.server.port");

		// when
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness")).build(),
					HttpResponse.BodyHandlers.ofString());

		// then
		JsonNode health = JsonMapper.builder().build().readTree(response.body());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(health.path("status").asString()).isEqualTo("UP");
		assertThat(health.path("components").path("mqtt").path("status").asString()).isEqualTo("UP");
	}

	/** Starts a subscriber application and returns once it has subscribed, watching what it decodes. */
	private Replica startReplica(String... args) throws InterruptedException {
		CountDownLatch subscribed = new CountDownLatch(1);
		// as command-line arguments: they win over application.yml, as they do for a real replica
		List<String> arguments = new ArrayList<>(List.of("--decibel.mqtt.url=" + TestInfrastructure.mqttUrl(),
				"--decibel.mqtt.topic-root=" + this.topics.root(), "--server.port=0", "--spring.main.banner-mode=off"));
		arguments.addAll(List.of(args));
		ConfigurableApplicationContext context = new SpringApplicationBuilder(SubscriberApplication.class)
			.listeners((ApplicationListener<MqttSubscribedEvent>) (event) -> subscribed.countDown())
			.run(arguments.toArray(String[]::new));
		Replica replica = new Replica(context, new ConcurrentLinkedQueue<>());
		this.replicas.add(replica);
		context.getBean("decodedReadings", SubscribableChannel.class)
			.subscribe((message) -> replica.decoded().add((DecodedReading) message.getPayload()));
		assertThat(subscribed.await(30, TimeUnit.SECONDS)).as("subscribed").isTrue();
		return replica;
	}

	private void publishReadings(String deviceId, int count) throws Exception {
		for (long seq = 0; seq < count; seq++) {
			publish(deviceId, reading(deviceId, seq, Instant.now()));
		}
	}

	private void publish(String deviceId, Reading reading) throws Exception {
		this.device.publish(this.topics.readings(deviceId), this.codec.encode(reading), 1, false);
	}

	private static Reading reading(String deviceId, long seq, Instant sampledAt) {
		return new Reading(deviceId, seq, sampledAt, 100, 246.2, -42.46, 812, "synthetic");
	}

	private static List<Long> seqs(int count) {
		return LongStream.range(0, count).boxed().toList();
	}

	private record Replica(ConfigurableApplicationContext context, Queue<DecodedReading> decoded) {

		List<Long> seqs() {
			return this.decoded.stream()
				.filter(DecodedReading::isValid)
				.map((decoded) -> decoded.reading().seq())
				.collect(Collectors.toList());
		}

		Mqttv5ClientManager clientManager() {
			return this.context.getBean(Mqttv5ClientManager.class);
		}

		double count(String outcome) {
			return this.context.getBean(MeterRegistry.class)
				.get("decibel.subscriber.readings")
				.tag("outcome", outcome)
				.counter()
				.count();
		}

	}

}
