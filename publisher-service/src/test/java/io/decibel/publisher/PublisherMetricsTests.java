package io.decibel.publisher;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import io.decibel.contract.Ack;
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

/** What an operator reads of a counted run: the Prometheus scrape while it runs, the summary when it ends. */
@ExtendWith(OutputCaptureExtension.class)
class PublisherMetricsTests {

	private static final Duration PATIENCE = Duration.ofSeconds(30);

	private final Topics topics = new Topics(TestInfrastructure.uniqueName("metrics"));

	private final String deviceId = TestInfrastructure.uniqueName("device");

	@TempDir
	Path stateDir;

	private ConfigurableApplicationContext publisher;

	private AckResponder relay;

	@AfterEach
	void stop() throws Exception {
		if (this.publisher != null) {
			this.publisher.close();
		}
		if (this.relay != null) {
			this.relay.close();
		}
	}

	@Test
	void countsPublishedAcknowledgedResentAndGivenUpReadingsAndTheirRoundTrip(CapturedOutput output)
			throws Exception {
		// given: seq 1 is rejected, the first delivery of seq 2 goes unanswered
		this.relay = AckResponder.start(this.topics, (delivery) -> {
			if (delivery.seq() == 1) {
				return Ack.rejected(this.deviceId, 1L, "too loud to be true");
			}
			return (delivery.seq() == 2 && delivery.number() == 1) ? null
					: Ack.stored(delivery.reading(), Instant.now());
		});

		// when
		this.publisher = new SpringApplicationBuilder(PublisherApplication.class).run("--server.port=0",
				"--decibel.mqtt.url=" + TestInfrastructure.mqttUrl(), "--decibel.mqtt.topic-root=" + this.topics.root(),
				"--decibel.publisher.device-id=" + this.deviceId, "--decibel.publisher.state-dir=" + this.stateDir,
				"--decibel.publisher.source=synthetic", "--decibel.publisher.window=50ms",
				"--decibel.publisher.ack-timeout=500ms", "--decibel.publisher.count=5");
		await().atMost(PATIENCE).until(this.publisher.getBean(Completion.class)::isComplete);

		// then
		String scrape = get("/actuator/prometheus");
		assertThat(scrape).contains("decibel_publisher_readings_published_total{application=\"publisher-service\",device=\""
				+ this.deviceId + "\"} 5.0");
		assertThat(scrape).containsPattern("decibel_publisher_readings_acknowledged_total\\{[^}]*status=\"stored\"} 4.0");
		assertThat(scrape).containsPattern("decibel_publisher_readings_acknowledged_total\\{[^}]*status=\"rejected\"} 1.0");
		assertThat(scrape).containsPattern("decibel_publisher_readings_given_up_total\\{[^}]*reason=\"outbox_full\"} 0.0");
		assertThat(scrape).containsPattern("decibel_publisher_readings_resent_total\\{[^}]*} [1-9]");
		assertThat(scrape).containsPattern("decibel_publisher_readings_pending\\{[^}]*} 0.0");
		assertThat(scrape).containsPattern("decibel_publisher_ack_round_trip_seconds_count\\{[^}]*} 5");
		assertThat(scrape).containsPattern("decibel_publisher_ack_round_trip_seconds_bucket\\{[^}]*le=\"\\+Inf\"} 5");

		// and when the run ends
		this.publisher.close();
		assertThat(output).containsPattern("Summary: 5 sent, 5 ACKed \\(4 stored, 0 duplicate, 1 rejected, 0 conflict\\), [1-9]\\d* "
				+ "re-sent, 0 pending, 0 given up; ACK round trip p50=[0-9.]+ ms p99=[0-9.]+ ms");
	}

	@Test
	void showsProgressWhileACountedRunGoesOn(CapturedOutput output) throws Exception {
		// given
		this.relay = AckResponder.storing(this.topics);

		// when: a run longer than one progress interval
		this.publisher = new SpringApplicationBuilder(PublisherApplication.class).run("--server.port=0",
				"--decibel.mqtt.url=" + TestInfrastructure.mqttUrl(), "--decibel.mqtt.topic-root=" + this.topics.root(),
				"--decibel.publisher.device-id=" + this.deviceId, "--decibel.publisher.state-dir=" + this.stateDir,
				"--decibel.publisher.source=synthetic", "--decibel.publisher.window=100ms",
				"--decibel.publisher.count=80");

		// then
		await().atMost(PATIENCE)
			.untilAsserted(() -> assertThat(output).containsPattern(
					"Progress: [1-9]\\d*/80 sent \\(\\d+ %\\), \\d+ ACKed, \\d+ pending, 0 re-sent"));
	}

	private String get(String path) throws Exception {
		String port = this.publisher.getEnvironment().getProperty("local.server.port");
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
					HttpResponse.BodyHandlers.ofString())
			.body();
	}

}
