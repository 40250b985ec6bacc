package io.decibel.relay;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.relay.MqttTestClient.Received;
import io.decibel.relay.readings.StoredReadingRepository;
import io.decibel.stack.EmbeddedDatabase;
import io.decibel.testsupport.TestInfrastructure;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/** The database goes away under a running relay: nothing is acknowledged that was not stored, nothing is lost. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RelayDatabaseOutageTests {

	static final String ROOT = TestInfrastructure.uniqueName("outage");

	static final Topics TOPICS = new Topics(ROOT);

	final TelemetryCodec codec = new TelemetryCodec();

	final JsonMapper json = JsonMapper.builder().build();

	@Autowired
	StoredReadingRepository repository;

	@Autowired
	JdbcTemplate jdbc;

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		RelayTestProperties.register(registry, ROOT);
	}

	@Test
	void keepsAReadingUnacknowledgedWhileTheDatabaseIsAwayAndStoresItWhenItReturns() throws Exception {
		assumeThat(TestInfrastructure.usesExternalDatabase()).as("stops the embedded database").isFalse();
		EmbeddedDatabase database = TestInfrastructure.embeddedDatabase();
		try (MqttTestClient device = MqttTestClient.connect()) {
			// given
			BlockingQueue<Received> acks = device.subscribe(TOPICS.acks("cellar"));
			device.publish(TOPICS.readings("cellar"), this.codec.encode(RelayTests.reading("cellar", 0)), null, null);
			assertThat(status(MqttTestClient.next(acks))).isEqualTo("STORED");

			// when
			database.stop();
			device.publish(TOPICS.readings("cellar"), this.codec.encode(RelayTests.reading("cellar", 1)), null, null);

			// then: no ACK for what is not stored, and the relay says it is not ready
			await().atMost(Duration.ofSeconds(30)).until(() -> readiness().contains("\"DOWN\""));
			assertThat(acks.poll(2, TimeUnit.SECONDS)).isNull();

			// when
			database.start();

			// then
			Received ack = MqttTestClient.next(acks);
			assertThat(status(ack)).isEqualTo("STORED");
			assertThat(this.json.readTree(ack.payload()).path("seq").asLong()).isEqualTo(1);
			assertThat(this.repository.count()).isEqualTo(2);
			await().atMost(Duration.ofSeconds(30)).until(() -> !readiness().contains("\"DOWN\""));
			// and its session row beats again: a row that stays old has live relays adopt this relay's session
			String back = this.jdbc.queryForObject("select cast(now(6) as char)", String.class);
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(this.jdbc.queryForList("select client_id, cast(beat_at as char) beat_at,"
						+ " cast(now(6) as char) now from relay_sessions"))
					.as("rows of relay_sessions beaten since %s", back)
					.anyMatch((row) -> ((String) row.get("beat_at")).compareTo(back) > 0));
		}
		finally {
			database.start();
		}
	}

	private String status(Received ack) {
		return this.json.readTree(ack.payload()).path("status").asString();
	}

	private String readiness() throws Exception {
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/actuator/health/readiness"))
				.build(), HttpResponse.BodyHandlers.ofString())
			.body();
	}

}
