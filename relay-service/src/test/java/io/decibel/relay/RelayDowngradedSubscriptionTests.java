package io.decibel.relay;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.decibel.testsupport.PersistentMosquitto;
import io.decibel.testsupport.TestInfrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * A broker that grants the relay's subscription a lower QoS than asked for (Mosquitto with {@code max_qos 0}) would
 * send readings at most once, though the relay acknowledges them only once stored: a reading in a relay that stops is
 * lost. The relay does not count that as subscribed — readiness stays DOWN, and says which topic filter got what.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class RelayDowngradedSubscriptionTests {

	static final String ROOT = TestInfrastructure.uniqueName("maxqos");

	static PersistentMosquitto broker;

	final JsonMapper json = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@Autowired
	@Qualifier("mqttHealthIndicator")
	HealthIndicator mqtt;

	@BeforeAll
	static void startBroker() throws Exception {
		assumeThat(PersistentMosquitto.isInstalled()).as("mosquitto is installed").isTrue();
		Path dir = Files.createTempDirectory("decibel-maxqos-mosquitto-");
		broker = PersistentMosquitto.start(dir, "max_qos 0");
	}

	@AfterAll
	static void stopBroker() {
		if (broker != null) {
			broker.close();
		}
	}

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		RelayTestProperties.register(registry, () -> broker.url(), ROOT, TestInfrastructure.uniqueName("relay"));
	}

	@Test
	void aSubscriptionGrantedQosZeroKeepsTheRelayNotReadyAndSaysWhichTopicFilterGotWhat() throws Exception {
		String filter = "$share/relay/" + ROOT + "/+/noise";
		await().atMost(Duration.ofSeconds(30))
			.until(() -> String.valueOf(this.mqtt.health().getDetails().get("subscriptions")).contains("granted QoS"));

		assertThat(this.mqtt.health().getDetails().get("subscriptions"))
			.isEqualTo(filter + " granted QoS 0, asked for QoS 1: deliveries could be lost");
		assertThat(String.valueOf(this.mqtt.health().getStatus())).isEqualTo("DOWN");
		assertThat(this.json.readTree(body("readiness")).path("status").asString()).isEqualTo("DOWN");
		assertThat(this.json.readTree(body("readiness")).path("components").path("mqtt").path("status").asString())
			.isEqualTo("DOWN");
	}

	private String body(String group) throws Exception {
		return HttpClient.newHttpClient()
			.send(HttpRequest
				.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/actuator/health/" + group))
				.build(), HttpResponse.BodyHandlers.ofString())
			.body();
	}

}
