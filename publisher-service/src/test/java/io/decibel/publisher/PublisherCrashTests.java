package io.decibel.publisher;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import io.decibel.contract.Reading;
import io.decibel.contract.Topics;
import io.decibel.stack.ServiceProcess;
import io.decibel.testsupport.TestInfrastructure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The publisher as a process of its own, killed with SIGKILL (as a crash or a power cut would end it) while no relay
 * answers, then started again on the same state directory: what it had numbered is not lost.
 */
class PublisherCrashTests {

	private static final Duration STARTUP = Duration.ofSeconds(90);

	private static final Pattern RECOVERED = Pattern
		.compile("(\\d+) readings not acknowledged before the restart \\(seq (\\d+)\\.\\.(\\d+)\\)");

	private final Topics topics = new Topics(TestInfrastructure.uniqueName("crash"));

	private final String deviceId = TestInfrastructure.uniqueName("device");

	private final List<ServiceProcess> processes = new ArrayList<>();

	private final List<AckResponder> responders = new ArrayList<>();

	@TempDir
	Path stateDir;

	@AfterEach
	void stop() throws Exception {
		ServiceProcess.stopInReverse(this.processes);
		for (AckResponder responder : this.responders) {
			responder.close();
		}
	}

	@Test
	void killedWhileNoRelayAnswersItSendsEveryPendingReadingAgainWithItsSeqThenNumbersOn() throws Exception {
		// given: a device publishing, nobody answering
		AckResponder silent = responder(AckResponder.start(this.topics, (delivery) -> null));
		ServiceProcess first = startPublisher();
		first.awaitLine(Pattern.compile("Published seq=19 "), STARTUP);

		// when: it dies without a word, and comes back with a relay there
		first.kill();
		silent.close();
		List<AckResponder.Delivery> beforeCrash = silent.deliveries();
		AckResponder relay = responder(AckResponder.storing(this.topics));
		ServiceProcess second = startPublisher("--decibel.publisher.count=5");

		// then: every reading it had sent is sent again, with its seq and its content, the oldest first
		Matcher recovered = RECOVERED.matcher(second.awaitLine(RECOVERED, STARTUP));
		assertThat(recovered.find()).isTrue();
		long kept = Long.parseLong(recovered.group(1));
		long lastKept = Long.parseLong(recovered.group(3));
		assertThat(recovered.group(2)).isEqualTo("0");
		assertThat(kept).isEqualTo(lastKept + 1);
		assertThat(beforeCrash).extracting(AckResponder.Delivery::seq).allMatch((seq) -> seq <= lastKept);
		assertThat(second.awaitExit(STARTUP)).as("exit code").isZero();
		assertThat(second.countLines(Pattern.compile("All " + (kept + 5) + " readings acknowledged"))).isOne();
		List<AckResponder.Delivery> afterRestart = relay.deliveries();
		Set<Long> expected = LongStream.rangeClosed(0, lastKept + 5).boxed().collect(Collectors.toSet());
		assertThat(afterRestart).extracting(AckResponder.Delivery::seq).containsAll(expected);
		for (AckResponder.Delivery sent : beforeCrash) {
			assertThat(afterRestart).filteredOn((delivery) -> delivery.seq() == sent.seq())
				.allSatisfy((delivery) -> assertThat(delivery.reading()).isEqualTo(sent.reading()));
		}
		List<Long> firstSends = afterRestart.stream()
			.filter((delivery) -> delivery.number() == 1)
			.map(AckResponder.Delivery::seq)
			.toList();
		assertThat(firstSends.subList(0, (int) kept)).isSortedAccordingTo(Long::compare)
			.containsExactlyElementsOf(new TreeSet<>(LongStream.rangeClosed(0, lastKept).boxed().toList()));
		// the new readings were sampled after the restart
		Instant killed = beforeCrash.get(beforeCrash.size() - 1).reading().sampledAt();
		assertThat(afterRestart).filteredOn((delivery) -> delivery.seq() > lastKept)
			.extracting(AckResponder.Delivery::reading)
			.extracting(Reading::sampledAt)
			.allMatch((sampledAt) -> sampledAt.isAfter(killed));
	}

	private ServiceProcess startPublisher(String... arguments) {
		List<String> args = new ArrayList<>(List.of("--server.port=0",
				"--decibel.mqtt.url=" + TestInfrastructure.mqttUrl(),
				"--decibel.mqtt.topic-root=" + this.topics.root(), "--decibel.publisher.device-id=" + this.deviceId,
				"--decibel.publisher.state-dir=" + this.stateDir, "--decibel.publisher.source=synthetic",
				"--decibel.publisher.window=20ms", "--decibel.publisher.ack-timeout=60s"));
		args.addAll(List.of(arguments));
		ServiceProcess publisher = ServiceProcess.startMain("publisher-service",
				PublisherApplication.class.getName(), Map.of(), args);
		this.processes.add(publisher);
		return publisher;
	}

	private AckResponder responder(AckResponder responder) {
		this.responders.add(responder);
		return responder;
	}

}
