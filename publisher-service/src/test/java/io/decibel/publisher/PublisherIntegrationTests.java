package io.decibel.publisher;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.decibel.contract.Ack;
import io.decibel.contract.ReadingIdentity;
import io.decibel.contract.Topics;
import io.decibel.publisher.acks.Completion;
import io.decibel.stack.EmbeddedBroker;
import io.decibel.testsupport.TestInfrastructure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The publisher in-process against a real broker, with a test responder in the relay's place. Each test has its
 * own topic root, device and state directory.
 */
@ExtendWith(OutputCaptureExtension.class)
class PublisherIntegrationTests {

	private static final Duration PATIENCE = Duration.ofSeconds(30);

	private final Topics topics = new Topics(TestInfrastructure.uniqueName("publisher"));

	private final String deviceId = TestInfrastructure.uniqueName("device");

	private final List<ConfigurableApplicationContext> publishers = new ArrayList<>();

	private final List<AckResponder> responders = new ArrayList<>();

	@TempDir
	Path stateDir;

	@AfterEach
	void stop() throws Exception {
		this.publishers.forEach(ConfigurableApplicationContext::close);
		for (AckResponder responder : this.responders) {
			responder.close();
		}
	}

	@Test
	void publishesTheCountedReadingsAndCompletesOnceAllAreAcknowledged(CapturedOutput output) throws Exception {
		// given
		AckResponder relay = responder(AckResponder.storing(this.topics));

		// when
		Completion completion = startPublisher("--decibel.publisher.count=5").getBean(Completion.class);

		// then
		await().atMost(PATIENCE).until(completion::isComplete);
		assertThat(completion.acknowledgedSeqs()).containsExactly(0L, 1L, 2L, 3L, 4L);
		assertThat(relay.deliveries()).allSatisfy((delivery) -> {
			assertThat(delivery.topic()).isEqualTo(this.topics.readings(this.deviceId));
			assertThat(delivery.reading().deviceId()).isEqualTo(this.deviceId);
			assertThat(delivery.reading().source()).isEqualTo("synthetic");
			assertThat(delivery.responseTopic()).isEqualTo(this.topics.acks(this.deviceId));
			// seq, reading and send (contract v1.2)
			assertThat(new String(delivery.correlationData(), StandardCharsets.UTF_8)).isEqualTo(delivery.seq() + ":"
					+ ReadingIdentity.digest(delivery.reading()).substring(0, 16) + ":" + delivery.number());
		});
		assertThat(output).contains("Published seq=4 level=", "ACK seq=4 status=STORED rtt=",
				"All 5 readings acknowledged");
	}

	@Test
	void resendsAReadingWhoseAckDidNotComeWithTheSameDeviceAndSeq() throws Exception {
		// given: the first delivery of seq 2 goes unanswered
		AckResponder relay = responder(AckResponder.start(this.topics,
				(delivery) -> (delivery.seq() == 2 && delivery.number() == 1) ? null
						: Ack.stored(delivery.reading(), Instant.now())));

		// when
		Completion completion = startPublisher("--decibel.publisher.count=5",
				"--decibel.publisher.ack-timeout=500ms")
			.getBean(Completion.class);

		// then
		await().atMost(PATIENCE).until(completion::isComplete);
		assertThat(completion.acknowledgedSeqs()).containsExactly(0L, 1L, 2L, 3L, 4L);
		List<AckResponder.Delivery> seqTwo = relay.deliveries()
			.stream()
			.filter((delivery) -> delivery.seq() == 2)
			.toList();
		assertThat(seqTwo).hasSizeGreaterThanOrEqualTo(2);
		assertThat(seqTwo).allSatisfy((delivery) -> {
			assertThat(delivery.reading()).isEqualTo(seqTwo.get(0).reading());
			assertThat(delivery.payload()).isEqualTo(seqTwo.get(0).payload());
		});
	}

	@Test
	void continuesTheSequenceAfterARestart() throws Exception {
		// given
		responder(AckResponder.storing(this.topics));
		ConfigurableApplicationContext first = startPublisher("--decibel.publisher.count=3");
		await().atMost(PATIENCE).until(first.getBean(Completion.class)::isComplete);
		first.close();

		// when
		Completion completion = startPublisher("--decibel.publisher.count=3").getBean(Completion.class);

		// then
		await().atMost(PATIENCE).until(completion::isComplete);
		assertThat(completion.acknowledgedSeqs()).containsExactly(3L, 4L, 5L);
	}

	@Test
	void rejectedReadingCountsAsDoneAndIsReported(CapturedOutput output) throws Exception {
		// given
		responder(AckResponder.start(this.topics,
				(delivery) -> (delivery.seq() == 1) ? Ack.rejected(this.deviceId, 1L, "too loud to be true")
						: Ack.stored(delivery.reading(), Instant.now())));

		// when
		Completion completion = startPublisher("--decibel.publisher.count=3").getBean(Completion.class);

		// then
		await().atMost(PATIENCE).until(completion::isComplete);
		assertThat(completion.acknowledgedSeqs()).containsExactly(0L, 1L, 2L);
		assertThat(completion.rejectedSeqs()).containsExactly(1L);
		assertThat(output).contains("ACK seq=1 status=REJECTED", "too loud to be true");
	}

	@Test
	void unreadableAckIsReportedAndLaterAcksStillCount(CapturedOutput output) throws Exception {
		// given: a responder that leaves the answering to the test
		AckResponder relay = responder(AckResponder.start(this.topics, (delivery) -> null));
		Completion completion = startPublisher("--decibel.publisher.count=2",
				"--decibel.publisher.ack-timeout=500ms")
			.getBean(Completion.class);
		await().atMost(PATIENCE).until(() -> relay.deliveries().size() >= 2);

		// when
		relay.sendRaw(this.topics.acks(this.deviceId), "this is not an ACK");
		relay.sendRaw(this.topics.acks(this.deviceId),
				"{\"deviceId\":\"" + this.deviceId + "\",\"seq\":0,\"status\":\"STORED\"}");
		relay.sendRaw(this.topics.acks(this.deviceId),
				"{\"deviceId\":\"" + this.deviceId + "\",\"seq\":1,\"status\":\"DUPLICATE\"}");

		// then
		await().atMost(PATIENCE).until(completion::isComplete);
		assertThat(output).contains("Unreadable ACK on " + this.topics.acks(this.deviceId), "Not an ACK",
				"ACK seq=0 status=STORED", "ACK seq=1 status=DUPLICATE");
	}

	@Test
	void completesWithEveryReadingAcknowledgedWhenTheBrokerRestartsMidRun(CapturedOutput output) throws Exception {
		assumeFalse(TestInfrastructure.usesExternalBroker(), "stops and starts the embedded broker");
		// given: a run under way
		EmbeddedBroker broker = TestInfrastructure.embeddedBroker();
		AckResponder relay = responder(AckResponder.storing(this.topics));
		Completion completion = startPublisher("--decibel.publisher.count=60", "--decibel.publisher.ack-timeout=1s")
			.getBean(Completion.class);
		await().atMost(PATIENCE).until(() -> completion.acknowledgedSeqs().size() >= 10);

		// when: the broker goes away, with every session (it keeps them in memory), and comes back
		relay.close();
		broker.stop();
		await().atMost(PATIENCE)
			.until(() -> output.getOut().contains("Keeping readings for re-sending from seq="));
		broker.start();
		responder(AckResponder.storing(this.topics));

		// then: the publisher reconnected and subscribed to its ACKs again, by itself, and re-sent what was lost
		await().atMost(PATIENCE).until(completion::isComplete);
		assertThat(completion.acknowledgedSeqs()).hasSize(60).first().isEqualTo(0L);
		assertThat(completion.acknowledgedSeqs().last()).isEqualTo(59L);
		assertThat(completion.givenUpSeqs()).isEmpty();
		assertThat(output.getOut().lines()
			.filter((line) -> line.contains("Connected and subscribed to") && line.contains(this.topics.acks(this.deviceId))))
			.hasSizeGreaterThanOrEqualTo(2);
		assertThat(output).contains("All 60 readings acknowledged");
	}

	@Test
	void healthShowsMqttUpWhileConnected() throws Exception {
		// given
		// details are off over HTTP by default; an operator may switch them on
		ConfigurableApplicationContext publisher = startPublisher("--management.endpoint.health.show-details=always");
		String port = publisher.getEnvironment().getProperty("local.server.port");
		HttpClient http = HttpClient.newHttpClient();
		JsonMapper json = JsonMapper.builder().build();

		// when / then
		await().atMost(PATIENCE).untilAsserted(() -> {
			JsonNode health = json.readTree(get(http, "http://localhost:" + port + "/actuator/health"));
			assertThat(health.at("/components/mqtt/status").asString()).isEqualTo("UP");
			assertThat(health.at("/components/mqtt/details/clientId").asString())
				.isEqualTo("publisher-" + this.deviceId);
			JsonNode readiness = json.readTree(get(http, "http://localhost:" + port + "/actuator/health/readiness"));
			assertThat(readiness.at("/status").asString()).isEqualTo("UP");
		});
	}

	private ConfigurableApplicationContext startPublisher(String... arguments) {
		List<String> args = new ArrayList<>(List.of("--server.port=0",
				"--decibel.mqtt.url=" + TestInfrastructure.mqttUrl(),
				"--decibel.mqtt.topic-root=" + this.topics.root(), "--decibel.publisher.device-id=" + this.deviceId,
				"--decibel.publisher.state-dir=" + this.stateDir, "--decibel.publisher.source=synthetic",
				"--decibel.publisher.window=50ms"));
		args.addAll(List.of(arguments));
		ConfigurableApplicationContext publisher = new SpringApplicationBuilder(PublisherApplication.class)
			.run(args.toArray(String[]::new));
		this.publishers.add(publisher);
		return publisher;
	}

	private AckResponder responder(AckResponder responder) {
		this.responders.add(responder);
		return responder;
	}

	private static String get(HttpClient http, String url) throws Exception {
		return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
			.body();
	}

}
