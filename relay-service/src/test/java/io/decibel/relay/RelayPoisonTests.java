package io.decibel.relay;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;

import com.zaxxer.hikari.HikariDataSource;
import io.decibel.contract.Reading;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.relay.MqttTestClient.Received;
import io.decibel.relay.readings.ReadingKey;
import io.decibel.relay.readings.StoredReadingRepository;
import io.decibel.testsupport.TestInfrastructure;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A reading the database refuses for a lasting reason, among good ones, on two relays of one share group: the
 * refused one is quarantined and answered {@code REJECTED}, the others are stored, and neither relay stops.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RelayPoisonTests {

	static final String ROOT = TestInfrastructure.uniqueName("poison");

	static final Topics TOPICS = new Topics(ROOT);

	/** The database refuses seq 13 of device {@code pump} for good, as it would a value it cannot hold. */
	static final String POISON_TRIGGER = "create trigger test_poison before insert on readings for each row"
			+ " if new.device_id = 'pump' and new.seq = 13 then"
			+ " signal sqlstate '45000' set message_text = 'test poison: refused by a trigger'; end if";

	final TelemetryCodec codec = new TelemetryCodec();

	final JsonMapper json = JsonMapper.builder().build();

	@Autowired
	StoredReadingRepository repository;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	HikariDataSource dataSource;

	@Autowired
	MeterRegistry meters;

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		RelayTestProperties.register(registry, ROOT);
	}

	@Test
	void storesTheGoodReadingsAroundOneTheDatabaseRefusesAndNeitherRelayOfTheGroupStops() throws Exception {
		this.jdbc.execute(POISON_TRIGGER);
		try (ConfigurableApplicationContext secondRelay = startSecondRelay();
				MqttTestClient device = MqttTestClient.connect()) {
			// given
			BlockingQueue<Received> acks = device.subscribe(TOPICS.acks("pump"));
			BlockingQueue<Received> deadLetters = device.subscribe(TOPICS.deadLetter());

			// when: a burst with the refused reading in it, sent three times as a device re-sends, and garbage
			for (int seq = 0; seq < 40; seq++) {
				publish(device, RelayTests.reading("pump", seq));
				if (seq == 13) {
					publish(device, RelayTests.reading("pump", seq));
					publish(device, RelayTests.reading("pump", seq));
					device.publish(TOPICS.readings("pump"), "{oops".getBytes(), null, null);
				}
			}

			// then
			Map<Long, List<String>> answers = answers(acks, 43);
			assertThat(answers.get(13L)).containsExactly("REJECTED", "REJECTED", "REJECTED");
			answers.remove(13L);
			answers.remove(-1L);
			assertThat(answers).hasSize(39).allSatisfy((seq, statuses) -> assertThat(statuses).containsOnly("STORED"));
			assertThat(this.repository.existsById(new ReadingKey("pump", 13))).isFalse();
			assertThat(get("/api/devices/pump/delivery").path("stored").asLong()).isEqualTo(39);
			List<JsonNode> refused = get("/api/quarantine?size=500").path("items")
				.valueStream()
				.filter((item) -> item.path("reason").asString().contains("test poison"))
				.toList();
			assertThat(refused).hasSize(3).allSatisfy((item) -> {
				assertThat(item.path("reason").asString())
					.isEqualTo("the database refused it: test poison: refused by a trigger");
				assertThat(item.path("deviceId").asString()).isEqualTo("pump");
				assertThat(item.path("payloadText").asString()).contains("\"seq\":13");
			});
			List<String> deadLetterReasons = new ArrayList<>();
			for (int i = 0; i < 4; i++) {
				deadLetterReasons.add(this.json.readTree(MqttTestClient.next(deadLetters).payload())
					.path("reason")
					.asString());
			}
			assertThat(deadLetterReasons).filteredOn((reason) -> reason.contains("test poison")).hasSize(3);
			assertThat(quarantinedByTheDatabase(this.meters) + quarantinedByTheDatabase(secondRelay.getBean(
					MeterRegistry.class))).isEqualTo(3);

			// and the group goes on storing: every reading after the refused one is stored (Mosquitto spreads them
			// over both relays; embedded HiveMQ gives the group's readings to one relay while it keeps up)
			double storedBefore = stored(this.meters) + stored(secondRelay.getBean(MeterRegistry.class));
			for (int seq = 40; seq < 100; seq++) {
				publish(device, RelayTests.reading("pump", seq));
			}
			assertThat(answers(acks, 60).values())
				.allSatisfy((statuses) -> assertThat(statuses).containsExactly("STORED"));
			assertThat(stored(this.meters) + stored(secondRelay.getBean(MeterRegistry.class)))
				.isEqualTo(storedBefore + 60);
			assertThat(get("/api/devices/pump/delivery").path("stored").asLong()).isEqualTo(99);
		}
	}

	/**
	 * Another relay of the same share group, on the same database: how relays scale out. Its settings as arguments,
	 * which outrank the relay's application.yml.
	 */
	private ConfigurableApplicationContext startSecondRelay() {
		return new SpringApplicationBuilder(RelayApplication.class).run("--server.port=0",
				"--decibel.mqtt.url=" + TestInfrastructure.mqttUrl(), "--decibel.mqtt.topic-root=" + ROOT,
				"--decibel.mqtt.client-id=" + TestInfrastructure.uniqueName("relay2"),
				"--spring.datasource.url=" + this.dataSource.getJdbcUrl(),
				"--spring.datasource.username=" + TestInfrastructure.dbUsername(),
				"--spring.datasource.password=" + TestInfrastructure.dbPassword());
	}

	/** The statuses each seq was answered with, in arrival order; -1 for answers without a seq. */
	private Map<Long, List<String>> answers(BlockingQueue<Received> acks, int count) throws Exception {
		Map<Long, List<String>> answers = new HashMap<>();
		for (int i = 0; i < count; i++) {
			JsonNode ack = this.json.readTree(MqttTestClient.next(acks).payload());
			long seq = ack.path("seq").isNumber() ? ack.path("seq").asLong() : -1;
			answers.computeIfAbsent(seq, (s) -> new ArrayList<>()).add(ack.path("status").asString());
		}
		return answers;
	}

	private static double stored(MeterRegistry meters) {
		return meters.counter("decibel.relay.readings", "status", "stored").count();
	}

	private static double quarantinedByTheDatabase(MeterRegistry meters) {
		return meters.counter("decibel.relay.readings.rejected", "reason", "database").count();
	}

	private void publish(MqttTestClient device, Reading reading) throws Exception {
		device.publish(TOPICS.readings(reading.deviceId()), this.codec.encode(reading), null, null);
	}

	private JsonNode get(String path) throws Exception {
		return this.json.readTree(HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).build(),
					HttpResponse.BodyHandlers.ofString())
			.body());
	}

}
