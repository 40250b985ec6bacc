package io.decibel.relay;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;

import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.relay.MqttTestClient.Received;
import io.decibel.relay.readings.StoredReadingRepository;
import io.decibel.testsupport.TestInfrastructure;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Readings published while no relay runs wait in the broker, on the relay's persistent session, and are stored and
 * acknowledged once it is back. (A known report says Paho's v5 client does not receive them: paho.mqtt.java#1048.)
 */
class RelayRestartTests {

	static final String ROOT = TestInfrastructure.uniqueName("restart");

	static final Topics TOPICS = new Topics(ROOT);

	final TelemetryCodec codec = new TelemetryCodec();

	final JsonMapper json = JsonMapper.builder().build();

	final String clientId = TestInfrastructure.uniqueName("relay");

	final String jdbcUrl = TestInfrastructure.jdbcUrl(TestInfrastructure.uniqueName("restart"));

	@Test
	void storesAndAcknowledgesWhatWasPublishedWhileItWasAway() throws Exception {
		try (MqttTestClient device = MqttTestClient.connect()) {
			BlockingQueue<Received> acks = device.subscribe(TOPICS.acks("nursery"));
			// given: a relay that has subscribed once, then stopped
			try (ConfigurableApplicationContext relay = startRelay()) {
				device.publish(TOPICS.readings("nursery"), this.codec.encode(RelayTests.reading("nursery", 0)), null,
						null);
				assertThat(status(MqttTestClient.next(acks))).isEqualTo("STORED");
			}

			// when: readings are published while no relay runs
			for (int seq = 1; seq <= 5; seq++) {
				device.publish(TOPICS.readings("nursery"), this.codec.encode(RelayTests.reading("nursery", seq)),
						null, null);
			}

			// then: the relay, back with the same client id, stores and acknowledges each
			try (ConfigurableApplicationContext relay = startRelay()) {
				Map<Long, String> statuses = new HashMap<>();
				for (int i = 0; i < 5; i++) {
					Received ack = MqttTestClient.next(acks);
					statuses.put(this.json.readTree(ack.payload()).path("seq").asLong(), status(ack));
				}
				assertThat(statuses).containsExactlyInAnyOrderEntriesOf(
						Map.of(1L, "STORED", 2L, "STORED", 3L, "STORED", 4L, "STORED", 5L, "STORED"));
				assertThat(relay.getBean(StoredReadingRepository.class).count()).isEqualTo(6);
			}
		}
	}

	private ConfigurableApplicationContext startRelay() {
		return new SpringApplicationBuilder(RelayApplication.class).run("--server.port=0",
				"--decibel.mqtt.url=" + TestInfrastructure.mqttUrl(), "--decibel.mqtt.topic-root=" + ROOT,
				"--decibel.mqtt.client-id=" + this.clientId, "--spring.datasource.url=" + this.jdbcUrl,
				"--spring.datasource.username=" + TestInfrastructure.dbUsername(),
				"--spring.datasource.password=" + TestInfrastructure.dbPassword());
	}

	private String status(Received ack) {
		return this.json.readTree(ack.payload()).path("status").asString();
	}

}
