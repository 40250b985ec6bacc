package io.decibel.relay;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.BlockingQueue;

import io.decibel.contract.Reading;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.relay.MqttTestClient.Received;
import io.decibel.testsupport.TestInfrastructure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** What an operator scrapes from the relay after some traffic, and what else of actuator is on the web: nothing. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RelayMetricsTests {

	static final String ROOT = TestInfrastructure.uniqueName("relaymetrics");

	static final Topics TOPICS = new Topics(ROOT);

	final TelemetryCodec codec = new TelemetryCodec();

	@LocalServerPort
	int port;

	MqttTestClient device;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		RelayTestProperties.register(registry, ROOT);
	}

	@BeforeEach
	void connectDevice() throws Exception {
		this.device = MqttTestClient.connect();
	}

	@AfterEach
	void disconnectDevice() throws Exception {
		this.device.close();
	}

	@Test
	void countsReceivedStoredDuplicateAndRejectedByReasonAndTimesTheBatches() throws Exception {
		// given
		BlockingQueue<Received> acks = this.device.subscribe(TOPICS.acks("+"));
		Reading reading = new Reading("meter", 1, Instant.now().truncatedTo(ChronoUnit.MILLIS), 1000, 1234.5,
				20 * Math.log10(1234.5 / 32768), 4000, "synthetic");

		// when: stored, sent again, garbage, a topic naming another device
		publish(TOPICS.readings("meter"), this.codec.encode(reading), acks);
		publish(TOPICS.readings("meter"), this.codec.encode(reading), acks);
		publish(TOPICS.readings("meter"), "{oops".getBytes(), acks);
		publish(TOPICS.readings("other"), this.codec.encode(reading), acks);

		// then
		String scrape = get("/actuator/prometheus");
		assertThat(scrape).contains("decibel_relay_readings_received_total{application=\"relay-service\"} 4.0",
				"decibel_relay_readings_total{application=\"relay-service\",status=\"stored\"} 1.0",
				"decibel_relay_readings_total{application=\"relay-service\",status=\"duplicate\"} 1.0",
				"decibel_relay_readings_total{application=\"relay-service\",status=\"rejected\"} 2.0",
				"decibel_relay_readings_rejected_total{application=\"relay-service\",reason=\"malformed_json\"} 1.0",
				"decibel_relay_readings_rejected_total{application=\"relay-service\",reason=\"device_mismatch\"} 1.0",
				"decibel_relay_readings_rejected_total{application=\"relay-service\",reason=\"oversize\"} 0.0",
				"decibel_relay_batch_size_deliveries_count{application=\"relay-service\"} 4",
				"decibel_relay_batch_size_deliveries_bucket{application=\"relay-service\",le=\"1.0\"} 4",
				"decibel_relay_up{application=\"relay-service\",component=\"db\"} 1.0",
				"decibel_relay_up{application=\"relay-service\",component=\"mqtt\"} 1.0");
		assertThat(scrape).containsPattern(
				"decibel_relay_store_latency_seconds_count\\{application=\"relay-service\",outcome=\"committed\"} 4");
		assertThat(scrape).contains("decibel_relay_store_latency_seconds_bucket{");
		String actuator = get("/actuator");
		assertThat(JsonMapper.builder().build().readTree(actuator).path("_links").propertyNames())
			.containsExactlyInAnyOrder("self", "health", "health-path", "info", "prometheus");
	}

	/** One at a time, each answered before the next: one delivery per batch. */
	private void publish(String topic, byte[] payload, BlockingQueue<Received> acks) throws Exception {
		this.device.publish(topic, payload, null, null);
		MqttTestClient.next(acks);
	}

	private String get(String path) throws Exception {
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).build(),
					HttpResponse.BodyHandlers.ofString())
			.body();
	}

}
