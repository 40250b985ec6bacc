package io.decibel.relay;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;

import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.relay.MqttTestClient.Received;
import io.decibel.testsupport.PersistentMosquitto;
import io.decibel.testsupport.TestInfrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * Readiness follows the MQTT connection and its subscription, on a broker of the test's own that is stopped and
 * started again without its persistence (the relay's session and subscription gone with it): DOWN while the broker is
 * away, UP again only once the relay has reconnected and the broker has granted its subscription again — so that a
 * reading sent as soon as the relay says it is ready reaches it. Liveness stays UP throughout: a relay waiting for
 * its broker is not to be restarted.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "decibel.mqtt.keep-alive=2s")
@DirtiesContext
class RelayReadinessTests {

	static final String DATABASE = TestInfrastructure.uniqueName("relay");

	static final String ROOT = TestInfrastructure.uniqueName("ready");

	static final Topics TOPICS = new Topics(ROOT);

	static Path brokerDir;

	static PersistentMosquitto broker;

	final TelemetryCodec codec = new TelemetryCodec();

	final JsonMapper json = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@BeforeAll
	static void startBroker() throws Exception {
		assumeThat(PersistentMosquitto.isInstalled()).as("mosquitto is installed").isTrue();
		brokerDir = Files.createTempDirectory("decibel-readiness-mosquitto-");
		broker = PersistentMosquitto.start(brokerDir);
	}

	@AfterAll
	static void stopBroker() {
		if (broker != null) {
			broker.close();
		}
	}

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		RelayTestProperties.register(registry, () -> broker.url(), ROOT, DATABASE);
	}

	@Test
	void isReadyOnlyWhileConnectedAndSubscribedAndStaysLiveWhileTheBrokerIsAway() throws Exception {
		// given
		await().atMost(Duration.ofSeconds(30)).until(() -> "UP".equals(status("readiness")));
		assertThat(this.json.readTree(body("readiness")).path("components").path("mqtt").path("status").asString())
			.isEqualTo("UP");

		// when
		broker.stop();

		// then
		Set<String> liveness = ConcurrentHashMap.newKeySet();
		await().atMost(Duration.ofSeconds(30)).until(() -> {
			liveness.add(status("liveness"));
			return "DOWN".equals(status("readiness")) && "DOWN".equals(mqtt());
		});

		// when: the broker back, without the sessions it had
		Files.deleteIfExists(brokerDir.resolve("mosquitto.db"));
		broker.start();
		try (MqttTestClient device = MqttTestClient.connect(broker.url())) {
			BlockingQueue<Received> acks = device.subscribe(TOPICS.acks("porch"));
			await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
				liveness.add(status("liveness"));
				return "UP".equals(status("readiness"));
			});
			device.publish(TOPICS.readings("porch"), this.codec.encode(RelayTests.reading("porch", 0)), null, null);

			// then: ready means subscribed — the reading sent at once is stored
			Received ack = MqttTestClient.next(acks);
			assertThat(this.json.readTree(ack.payload()).path("status").asString()).isEqualTo("STORED");
		}
		assertThat(mqtt()).isEqualTo("UP");
		assertThat(liveness).containsOnly("UP");
	}

	private String mqtt() throws Exception {
		return this.json.readTree(body("readiness")).path("components").path("mqtt").path("status").asString();
	}

	private String status(String group) throws Exception {
		return this.json.readTree(body(group)).path("status").asString();
	}

	private String body(String group) throws Exception {
		return HttpClient.newHttpClient()
			.send(HttpRequest
				.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/actuator/health/" + group))
				.build(), HttpResponse.BodyHandlers.ofString())
			.body();
	}

}
