package io.decibel.publisher;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.decibel.contract.Ack;
import io.decibel.contract.AckStatus;
import io.decibel.contract.Reading;
import io.decibel.contract.Topics;
import io.decibel.publisher.acks.Completion;
import io.decibel.testsupport.TestInfrastructure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The durable outbox through a real broker, with a test responder in the relay's place: a damaged outbox, a device
 * that lost its state and is answered {@code CONFLICT}, a full outbox under either policy across a restart.
 */
@ExtendWith(OutputCaptureExtension.class)
class OutboxIntegrationTests {

	private static final Duration PATIENCE = Duration.ofSeconds(60);

	private final Topics topics = new Topics(TestInfrastructure.uniqueName("outbox"));

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
	void aDeviceWithATornOutboxCutsTheDamageSaysSoAndStarts(CapturedOutput output) throws Exception {
		// given: readings kept unanswered, then the log's last record torn
		AckResponder silent = responder(AckResponder.start(this.topics, (delivery) -> null));
		ConfigurableApplicationContext first = startPublisher();
		await().atMost(PATIENCE).until(() -> silent.deliveries().size() >= 5);
		first.close();
		silent.close();
		Path outbox = this.stateDir.resolve(this.deviceId + ".outbox");
		try (RandomAccessFile file = new RandomAccessFile(outbox.toFile(), "rw")) {
			file.setLength(file.length() - 5);
		}

		// when
		responder(AckResponder.storing(this.topics));
		Completion completion = startPublisher("--decibel.publisher.count=3").getBean(Completion.class);

		// then: what was before the tear is sent again; numbering goes on past the torn reading (the checkpoint)
		await().atMost(PATIENCE).until(completion::isComplete);
		assertThat(output).contains("Outbox " + outbox + ": cut ", "a record cut short");
		long kept = completion.acknowledgedSeqs().stream().filter((seq) -> seq < first(output)).count();
		assertThat(kept).isPositive();
		assertThat(completion.acknowledgedSeqs()).hasSize((int) kept + 3);
		assertThat(completion.acknowledgedSeqs().last()).isGreaterThanOrEqualTo(first(output) + 2);
		assertThat(completion.givenUpSeqs()).isEmpty();
	}

	@Test
	void aDeviceThatLostItsStateNumbersOnPastTheRelaysHighestSeqAndSendsItsReadingsAgain(CapturedOutput output)
			throws Exception {
		// given: a relay that already holds seq 0 to 41 of this device, from before it lost its state
		AckResponder relay = responder(AckResponder.start(this.topics,
				(delivery) -> (delivery.seq() <= 41) ? Ack.conflict(delivery.reading(), Instant.now(), 41)
						: Ack.stored(delivery.reading(), Instant.now())));

		// when
		ConfigurableApplicationContext publisher = startPublisher("--decibel.publisher.count=5");
		Completion completion = publisher.getBean(Completion.class);

		// then: five readings stored, numbered from 42; each one answered CONFLICT was sent again, same content
		await().atMost(PATIENCE).until(completion::isComplete);
		assertThat(completion.acknowledgedSeqs()).containsExactly(42L, 43L, 44L, 45L, 46L);
		List<AckResponder.Delivery> deliveries = relay.deliveries();
		Map<Instant, Reading> stored = deliveries.stream()
			.filter((delivery) -> delivery.seq() > 41)
			.map(AckResponder.Delivery::reading)
			.collect(Collectors.toMap(Reading::sampledAt, (reading) -> reading, (a, b) -> a));
		List<Reading> conflicted = deliveries.stream()
			.filter((delivery) -> delivery.seq() <= 41)
			.map(AckResponder.Delivery::reading)
			.toList();
		assertThat(conflicted).isNotEmpty().allSatisfy((reading) -> {
			Reading again = stored.get(reading.sampledAt());
			assertThat(again).isNotNull();
			assertThat(again.seq()).isGreaterThan(41);
			assertThat(again.withSeq(reading.seq())).isEqualTo(reading);
		});
		assertThat(output.getOut().lines().filter((line) -> line.contains("The device's numbering went back")))
			.singleElement()
			.asString()
			.contains("continuing after seq=41");
		PublisherMeters meters = publisher.getBean(PublisherMeters.class);
		assertThat(meters.acknowledgedCount(AckStatus.CONFLICT)).isPositive();
		assertThat(meters.acknowledgedCount(AckStatus.STORED)).isEqualTo(5);
		publisher.close();
		assertThat(output).containsPattern("Summary: \\d+ sent, \\d+ ACKed \\(5 stored, 0 duplicate, 0 rejected, "
				+ "[1-9]\\d* conflict\\), \\d+ re-sent, 0 pending, 0 given up");
	}

	@Test
	void aFullOutboxUnderDropOldestKeepsOnlyTheNewestOnDiskToo(CapturedOutput output) throws Exception {
		// given: nobody answers, the outbox holds 3
		responder(AckResponder.start(this.topics, (delivery) -> null));
		ConfigurableApplicationContext first = startPublisher("--decibel.publisher.outbox-capacity=3",
				"--decibel.publisher.outbox-full=drop-oldest");
		await().atMost(PATIENCE).until(() -> output.getOut().contains("gave up seq=2, the oldest"));
		first.close();

		// when: room enough now, so that nothing more is given up
		responder(AckResponder.storing(this.topics));
		Completion completion = startPublisher("--decibel.publisher.outbox-capacity=10",
				"--decibel.publisher.outbox-full=drop-oldest", "--decibel.publisher.count=1")
			.getBean(Completion.class);

		// then: the three newest came back, then one new reading
		await().atMost(PATIENCE).until(completion::isComplete);
		assertThat(output).contains("3 readings not acknowledged before the restart");
		assertThat(completion.acknowledgedSeqs()).hasSize(4).allMatch((seq) -> seq > 2);
		assertThat(completion.givenUpSeqs()).isEmpty();
	}

	@Test
	void aFullOutboxUnderBlockKeepsEveryReadingItTookAcrossARestart(CapturedOutput output) throws Exception {
		// given
		responder(AckResponder.start(this.topics, (delivery) -> null));
		ConfigurableApplicationContext first = startPublisher("--decibel.publisher.outbox-capacity=3");
		await().atMost(PATIENCE).until(() -> output.getOut().contains("sampling waits for room"));
		first.close();

		// when
		responder(AckResponder.storing(this.topics));
		Completion completion = startPublisher("--decibel.publisher.outbox-capacity=3",
				"--decibel.publisher.count=2")
			.getBean(Completion.class);

		// then
		await().atMost(PATIENCE).until(completion::isComplete);
		assertThat(output).contains("3 readings not acknowledged before the restart (seq 0..2)");
		assertThat(completion.acknowledgedSeqs()).containsExactly(0L, 1L, 2L, 3L, 4L);
	}

	/** The seq the restarted device numbered first. */
	private static long first(CapturedOutput output) {
		String marker = "numbering continues at seq=";
		String out = output.getOut();
		int at = out.lastIndexOf(marker) + marker.length();
		int end = at;
		while (end < out.length() && Character.isDigit(out.charAt(end))) {
			end++;
		}
		return Long.parseLong(out.substring(at, end));
	}

	private ConfigurableApplicationContext startPublisher(String... arguments) {
		List<String> args = new ArrayList<>(List.of("--server.port=0",
				"--decibel.mqtt.url=" + TestInfrastructure.mqttUrl(),
				"--decibel.mqtt.topic-root=" + this.topics.root(), "--decibel.publisher.device-id=" + this.deviceId,
				"--decibel.publisher.state-dir=" + this.stateDir, "--decibel.publisher.source=synthetic",
				"--decibel.publisher.window=20ms", "--decibel.publisher.ack-timeout=30s"));
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

}
