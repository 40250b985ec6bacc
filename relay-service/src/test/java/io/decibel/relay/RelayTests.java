package io.decibel.relay;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.decibel.contract.Reading;
import io.decibel.contract.ReadingIdentity;
import io.decibel.contract.SoundLevels;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.relay.MqttTestClient.Received;
import io.decibel.relay.readings.ReadingKey;
import io.decibel.relay.readings.StoredReading;
import io.decibel.relay.readings.StoredReadingRepository;
import io.decibel.testsupport.LogLines;
import io.decibel.testsupport.TestInfrastructure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RelayTests {

	static final String ROOT = TestInfrastructure.uniqueName("relay");

	static final Topics TOPICS = new Topics(ROOT);

	final TelemetryCodec codec = new TelemetryCodec();

	final JsonMapper json = JsonMapper.builder().build();

	@Autowired
	StoredReadingRepository repository;

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
		await().until(() -> health().path("components").path("mqtt").path("status").asString().equals("UP"));
	}

	@AfterEach
	void disconnectDevice() throws Exception {
		this.device.close();
	}

	@Test
	void storesAReadingOnceAndAnswersItsResponseTopicWithTheCorrelationData() throws Exception {
		// given
		Reading reading = reading("kitchen", 7);
		BlockingQueue<Received> acks = this.device.subscribe(TOPICS.acks("kitchen") + "/reply");

		// when
		publish(reading, TOPICS.acks("kitchen") + "/reply", "corr-7");

		// then
		Received ack = MqttTestClient.next(acks);
		JsonNode body = this.json.readTree(ack.payload());
		assertThat(body.path("status").asString()).isEqualTo("STORED");
		assertThat(body.path("seq").asLong()).isEqualTo(7);
		assertThat(ack.correlation()).isEqualTo("corr-7");
		StoredReading stored = this.repository.findById(new ReadingKey("kitchen", 7)).orElseThrow();
		assertThat(stored.getSampledAt()).isEqualTo(reading.sampledAt());
		assertThat(stored.getReceivedAt()).isAfterOrEqualTo(reading.sampledAt());
		assertThat(stored.getStoredAt()).isAfterOrEqualTo(stored.getReceivedAt());
		assertThat(Instant.parse(body.path("storedAt").asString())).isEqualTo(stored.getStoredAt());
		assertThat(stored.getDbfs()).isEqualTo(reading.dbfs());
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void answersAReadingSentAgainWithDuplicateAndKeepsOneRow(CapturedOutput output) throws Exception {
		// given
		Reading reading = reading("hall", 1);
		BlockingQueue<Received> acks = this.device.subscribe(TOPICS.acks("hall"));
		publish(reading, TOPICS.acks("hall"), "first");
		assertThat(status(MqttTestClient.next(acks))).isEqualTo("STORED");

		// when
		publish(reading, TOPICS.acks("hall"), "again");

		// then
		Received again = MqttTestClient.next(acks);
		assertThat(status(again)).isEqualTo("DUPLICATE");
		assertThat(again.correlation()).isEqualTo("again");
		assertThat(get("/api/devices/hall/delivery").path("stored").asLong()).isEqualTo(1);
		// a re-send is normal operation: nothing for an operator to look at (the taken key is the database's answer)
		assertThat(output.getOut().lines()).noneMatch(LogLines::isSqlTrouble);
	}

	@Test
	void answersOnTheDevicesAckTopicWhenTheReadingNamesNoResponseTopic() throws Exception {
		BlockingQueue<Received> acks = this.device.subscribe(TOPICS.acks("garden"));

		publish(reading("garden", 3), null, null);

		Received ack = MqttTestClient.next(acks);
		assertThat(ack.topic()).isEqualTo(TOPICS.acks("garden"));
		assertThat(status(ack)).isEqualTo("STORED");
	}

	@Test
	void rejectsMalformedInputWithAReasonAndGoesOnStoring() throws Exception {
		// given
		BlockingQueue<Received> deadLetters = this.device.subscribe(TOPICS.deadLetter());
		BlockingQueue<Received> acks = this.device.subscribe(TOPICS.acks("attic"));

		// when: garbage, a reading with a wrong type, then a good reading
		this.device.publish(TOPICS.readings("attic"), new byte[] { (byte) 0xff, 0, 1 }, TOPICS.acks("attic"), "g");
		String wrongType = new String(this.codec.encode(reading("attic", 1)), StandardCharsets.UTF_8)
			.replaceFirst("\"rms\":[0-9.]+", "\"rms\":\"loud\"");
		this.device.publish(TOPICS.readings("attic"), wrongType.getBytes(StandardCharsets.UTF_8),
				TOPICS.acks("attic"), "w");
		publish(reading("attic", 2), TOPICS.acks("attic"), "ok");

		// then
		JsonNode garbage = this.json.readTree(MqttTestClient.next(deadLetters).payload());
		assertThat(garbage.path("reason").asString()).startsWith("malformed JSON");
		assertThat(garbage.path("topic").asString()).isEqualTo(TOPICS.readings("attic"));
		assertThat(garbage.path("payloadBytes").asInt()).isEqualTo(3);
		assertThat(this.json.readTree(MqttTestClient.next(deadLetters).payload()).path("reason").asString())
			.contains("rms must be a number");
		Received first = MqttTestClient.next(acks);
		assertThat(status(first)).isEqualTo("REJECTED");
		assertThat(this.json.readTree(first.payload()).path("reason").asString()).startsWith("malformed JSON");
		Received second = MqttTestClient.next(acks);
		assertThat(status(second)).isEqualTo("REJECTED");
		assertThat(this.json.readTree(second.payload()).path("seq").asLong()).isEqualTo(1);
		assertThat(status(MqttTestClient.next(acks))).isEqualTo("STORED");
		assertThat(this.repository.existsById(new ReadingKey("attic", 1))).isFalse();
		assertThat(this.repository.existsById(new ReadingKey("attic", 2))).isTrue();
		// and both refused payloads are kept for an operator to look at
		JsonNode quarantine = get("/api/quarantine?size=500");
		List<JsonNode> attic = quarantine.path("items")
			.valueStream()
			.filter((item) -> item.path("topic").asString().equals(TOPICS.readings("attic")))
			.toList();
		assertThat(attic).hasSize(2);
		assertThat(attic.get(0).path("reason").asString()).contains("rms must be a number");
		assertThat(attic.get(0).path("payloadText").asString()).contains("\"rms\":\"loud\"");
		assertThat(attic.get(1).path("payloadBase64").asString()).isEqualTo("/wAB");
		assertThat(attic.get(1).path("payloadText").isNull()).isTrue();
	}

	@Test
	void storesABurstOnceEachAndAnswersReSendsWithinItAsDuplicates() throws Exception {
		// given
		BlockingQueue<Received> acks = this.device.subscribe(TOPICS.acks("burst"));

		// when: 200 readings as fast as the client sends them, every tenth sent twice
		for (int seq = 0; seq < 200; seq++) {
			Reading reading = reading("burst", seq);
			publish(reading, null, null);
			if (seq % 10 == 0) {
				publish(reading, null, null);
			}
		}

		// then
		Map<String, Long> statuses = new HashMap<>();
		for (int i = 0; i < 220; i++) {
			statuses.merge(status(MqttTestClient.next(acks)), 1L, Long::sum);
		}
		assertThat(statuses).containsExactlyInAnyOrderEntriesOf(Map.of("STORED", 200L, "DUPLICATE", 20L));
		JsonNode delivery = get("/api/devices/burst/delivery");
		assertThat(delivery.path("stored").asLong()).isEqualTo(200);
		assertThat(delivery.path("missing").asLong()).isZero();
		assertThat(delivery.path("gaps")).isEmpty();
	}

	@Test
	void accountsForTheReadingsOfADeviceThatNeverArrived() throws Exception {
		BlockingQueue<Received> acks = this.device.subscribe(TOPICS.acks("gappy"));
		for (long seq : new long[] { 2, 3, 4, 7, 10 }) {
			publish(reading("gappy", seq), null, null);
			MqttTestClient.next(acks);
		}

		JsonNode delivery = get("/api/devices/gappy/delivery");

		assertThat(delivery.path("stored").asLong()).isEqualTo(5);
		assertThat(delivery.path("firstSeq").asLong()).isEqualTo(2);
		assertThat(delivery.path("lastSeq").asLong()).isEqualTo(10);
		assertThat(delivery.path("missing").asLong()).isEqualTo(6);
		assertThat(delivery.path("gaps").toString())
			.isEqualTo("[{\"from\":0,\"to\":1},{\"from\":5,\"to\":6},{\"from\":8,\"to\":9}]");
		// the same figures as metrics
		assertThat(body("/actuator/prometheus").lines().filter((line) -> line.contains("device=\"gappy\"")))
			.anySatisfy((line) -> assertThat(line).startsWith("decibel_relay_device_readings_stored{")
				.endsWith(" 5.0"))
			.anySatisfy((line) -> assertThat(line).startsWith("decibel_relay_device_readings_missing{")
				.endsWith(" 6.0"))
			.anySatisfy((line) -> assertThat(line).startsWith("decibel_relay_device_seq_last{").endsWith(" 10.0"));
	}

	@Test
	void rejectsAReadingWhosePayloadNamesAnotherDeviceThanItsTopic() throws Exception {
		BlockingQueue<Received> acks = this.device.subscribe(TOPICS.acks("porch"));

		this.device.publish(TOPICS.readings("porch"), this.codec.encode(reading("cellar", 1)), TOPICS.acks("porch"),
				"x");

		Received ack = MqttTestClient.next(acks);
		assertThat(status(ack)).isEqualTo("REJECTED");
		assertThat(this.json.readTree(ack.payload()).path("reason").asString()).contains("porch").contains("cellar");
		assertThat(this.repository.existsById(new ReadingKey("cellar", 1))).isFalse();
	}

	@Test
	void listsStoredReadingsNewestFirstFilteredByDevice() throws Exception {
		// given
		BlockingQueue<Received> acks = this.device.subscribe(TOPICS.acks("office"));
		for (int seq = 0; seq < 3; seq++) {
			publish(reading("office", seq), TOPICS.acks("office"), null);
			MqttTestClient.next(acks);
		}

		// when
		JsonNode page = get("/api/readings?device=office&size=2");

		// then
		assertThat(page.path("items")).hasSize(2);
		assertThat(page.path("items").get(0).path("seq").asLong()).isEqualTo(2);
		assertThat(page.path("items").get(1).path("seq").asLong()).isEqualTo(1);
		assertThat(page.path("items").get(0).path("storedAt").asString()).isNotBlank();
		JsonNode last = get("/api/readings?device=office&size=2&after=" + page.path("next").asString());
		assertThat(last.path("items")).hasSize(1);
		assertThat(last.path("items").get(0).path("seq").asLong()).isZero();
		assertThat(last.path("next").isNull()).isTrue();
		assertThat(get("/api/readings?device=office&from=2999-01-01T00:00:00Z").path("items")).isEmpty();
		assertThat(get("/api/readings?after=not-a-cursor").path("status").asInt()).isEqualTo(400);
		assertThat(body("/")).contains("<table");
	}

	@Test
	void streamsEachStoredReadingToTheLivePage() throws Exception {
		// given
		HttpResponse<Stream<String>> page = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/api/readings/stream")).build(),
					HttpResponse.BodyHandlers.ofLines());
		BlockingQueue<String> lines = new LinkedBlockingQueue<>();
		Thread reader = new Thread(() -> page.body().forEach(lines::add), "live-page");
		reader.setDaemon(true);
		reader.start();
		assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("text/event-stream"));
		BlockingQueue<Received> acks = this.device.subscribe(TOPICS.acks("hall"));

		// when
		publish(reading("hall", 0), TOPICS.acks("hall"), null);
		MqttTestClient.next(acks);

		// then
		await().untilAsserted(() -> assertThat(lines).contains("event:counts")
			.anyMatch((line) -> line.startsWith("data:") && line.contains("\"deviceId\":\"hall\"")));
		page.body().close();
	}

	@Test
	void keepsDevicesWhoseIdsDifferOnlyInCaseApart() throws Exception {
		// given
		BlockingQueue<Received> upper = this.device.subscribe(TOPICS.acks("dev-A"));
		BlockingQueue<Received> lower = this.device.subscribe(TOPICS.acks("dev-a"));

		// when
		publish(reading("dev-A", 1), null, null);
		publish(reading("dev-a", 1), null, null);

		// then
		assertThat(status(MqttTestClient.next(upper))).isEqualTo("STORED");
		assertThat(status(MqttTestClient.next(lower))).isEqualTo("STORED");
		assertThat(this.repository.existsById(new ReadingKey("dev-A", 1))).isTrue();
		assertThat(this.repository.existsById(new ReadingKey("dev-a", 1))).isTrue();
		assertThat(get("/api/devices/dev-A/delivery").path("stored").asLong()).isEqualTo(1);
		assertThat(get("/api/devices/dev-a/delivery").path("stored").asLong()).isEqualTo(1);
		assertThat(get("/api/readings?device=dev-A").path("items").valueStream()
			.map((item) -> item.path("deviceId").asString())).containsExactly("dev-A");
		assertThat(get("/api/readings?device=dev-A%20").path("status").asInt()).isEqualTo(400);
	}

	@Test
	void answersConflictForAnotherReadingUnderAStoredSeqAndKeepsTheStoredOne() throws Exception {
		// given: seqs 5 and 9 of a device stored; 5 with doubles whose shortest decimal form has 17 digits, and levels
		BlockingQueue<Received> acks = this.device.subscribe(TOPICS.acks("forgetful"));
		Reading plain = reading("forgetful", 5);
		Reading stored = new Reading("forgetful", 5, Instant.now().minusNanos(123_456_789), 1000, 0.1 + 0.2,
				20 * Math.log10((0.1 + 0.2) / 32768), 1 / 3.0, "microphone",
				new SoundLevels(Math.PI, 2 * Math.PI, -Math.E, 10 / 7.0, 0.1 + 0.2, Math.nextUp(0.25), false));
		publish(stored, TOPICS.acks("forgetful"), "5");
		publish(reading("forgetful", 9), TOPICS.acks("forgetful"), "9");
		JsonNode storedAck = this.json.readTree(MqttTestClient.next(acks).payload());
		MqttTestClient.next(acks);

		// when: the device lost its state and numbers a new reading 5
		Reading renumbered = new Reading("forgetful", 5, stored.sampledAt().plusSeconds(3600), stored.windowMs(),
				plain.rms(), plain.dbfs(), plain.peak(), plain.source());
		publish(renumbered, TOPICS.acks("forgetful"), "5-again");

		// then
		Received conflict = MqttTestClient.next(acks);
		JsonNode body = this.json.readTree(conflict.payload());
		assertThat(body.path("status").asString()).isEqualTo("CONFLICT");
		assertThat(body.path("seq").asLong()).isEqualTo(5);
		assertThat(body.path("highestSeq").asLong()).isEqualTo(9);
		assertThat(body.path("storedAt").asString()).isEqualTo(storedAck.path("storedAt").asString());
		assertThat(conflict.correlation()).isEqualTo("5-again");
		// it names the reading that holds the seq as the device would from the reading it sent (contract v1.2)
		ReadingIdentity heldBy = this.codec.decodeAck(conflict.payload().getBytes(StandardCharsets.UTF_8)).heldBy();
		assertThat(heldBy).isEqualTo(ReadingIdentity.of(stored));
		assertThat(body.path("heldBy").path("sampledAt").asString())
			.isEqualTo(stored.sampledAt().truncatedTo(ChronoUnit.MICROS).toString());
		assertThat(this.repository.findById(new ReadingKey("forgetful", 5)).orElseThrow().getSampledAt())
			.isEqualTo(stored.sampledAt().truncatedTo(ChronoUnit.MICROS));
		// the same reading sent again is still a duplicate
		publish(stored, TOPICS.acks("forgetful"), "5-resent");
		assertThat(status(MqttTestClient.next(acks))).isEqualTo("DUPLICATE");
		assertThat(body("/actuator/prometheus"))
			.contains("decibel_relay_readings_total{application=\"relay-service\",status=\"conflict\"} 1.0");
	}

	@Test
	void answersOnTheSendersAckTopicWhenTheResponseTopicBelongsToAnotherDevice() throws Exception {
		// given
		BlockingQueue<Received> victim = this.device.subscribe(TOPICS.acks("victim"));
		BlockingQueue<Received> prefixed = this.device.subscribe(TOPICS.acks("senderx"));
		BlockingQueue<Received> sender = this.device.subscribe(TOPICS.acks("sender"));

		// when: one reading names the other device's ACK topic, one a topic that only starts like its own device's
		publish(reading("sender", 1), TOPICS.acks("victim"), "to-victim");
		publish(reading("sender", 2), TOPICS.acks("senderx"), "prefixed");

		// then
		Received first = MqttTestClient.next(sender);
		assertThat(first.topic()).isEqualTo(TOPICS.acks("sender"));
		assertThat(status(first)).isEqualTo("STORED");
		assertThat(first.correlation()).isEqualTo("to-victim");
		assertThat(MqttTestClient.next(sender).correlation()).isEqualTo("prefixed");
		assertThat(victim.poll(1, TimeUnit.SECONDS)).isNull();
		assertThat(prefixed.poll(1, TimeUnit.SECONDS)).isNull();
		assertThat(body("/actuator/prometheus"))
			.contains("decibel_relay_replies_redirected_total{application=\"relay-service\"} 2.0");
	}

	@Test
	void storesServesAndComparesTheSoundLevelsOfAReadingThatCarriesThem() throws Exception {
		// given
		BlockingQueue<Received> acks = this.device.subscribe(TOPICS.acks("meter"));
		Reading v1 = reading("meter", 1);
		SoundLevels levels = new SoundLevels(54.2, 61.0, 45.5, 58.0, 52.5, 48.3, true);
		Reading measured = new Reading("meter", 2, v1.sampledAt(), v1.windowMs(), v1.rms(), v1.dbfs(), v1.peak(),
				"microphone", levels);

		// when
		publish(v1, TOPICS.acks("meter"), "1");
		publish(measured, TOPICS.acks("meter"), "2");

		// then: stored with its levels, the v1 reading without
		assertThat(status(MqttTestClient.next(acks))).isEqualTo("STORED");
		assertThat(status(MqttTestClient.next(acks))).isEqualTo("STORED");
		assertThat(this.repository.findById(new ReadingKey("meter", 2)).orElseThrow().getLevels()).isEqualTo(levels);
		assertThat(this.repository.findById(new ReadingKey("meter", 1)).orElseThrow().getLevels()).isNull();
		// served by the API as the wire carries them
		JsonNode items = get("/api/readings?device=meter").path("items");
		assertThat(items.get(0).path("seq").asLong()).isEqualTo(2);
		assertThat(items.get(0).path("laeq").asDouble()).isEqualTo(54.2);
		assertThat(items.get(0).path("lafmax").asDouble()).isEqualTo(61.0);
		assertThat(items.get(0).path("lafmin").asDouble()).isEqualTo(45.5);
		assertThat(items.get(0).path("laf10").asDouble()).isEqualTo(58.0);
		assertThat(items.get(0).path("laf50").asDouble()).isEqualTo(52.5);
		assertThat(items.get(0).path("laf90").asDouble()).isEqualTo(48.3);
		assertThat(items.get(0).path("calibrated").asBoolean()).isTrue();
		assertThat(items.get(1).has("laeq")).isFalse();
		// the same reading again is a duplicate (another reading under its seq: StoredContentTests)
		publish(measured, TOPICS.acks("meter"), "2-again");
		assertThat(status(MqttTestClient.next(acks))).isEqualTo("DUPLICATE");
		// levels out of order are no meter's reading
		publish(new Reading("meter", 3, v1.sampledAt(), v1.windowMs(), v1.rms(), v1.dbfs(), v1.peak(), "microphone",
				new SoundLevels(54.2, 61.0, 49.0, 58.0, 52.5, 48.3, true)), TOPICS.acks("meter"), "3");
		JsonNode rejected = this.json.readTree(MqttTestClient.next(acks).payload());
		assertThat(rejected.path("status").asString()).isEqualTo("REJECTED");
		assertThat(rejected.path("reason").asString())
			.isEqualTo("levels must be ordered lafmin <= laf90 <= laf50 <= laf10 <= lafmax");
		// the device's latest levels as meters
		assertThat(body("/actuator/prometheus")).contains(
				"decibel_relay_device_laeq{application=\"relay-service\",calibrated=\"true\",device=\"meter\"} 54.2",
				"decibel_relay_device_laf90{application=\"relay-service\",calibrated=\"true\",device=\"meter\"} 48.3");
	}

	@Test
	void reportsTheDatabaseAndTheBrokerInItsReadiness() throws Exception {
		JsonNode readiness = get("/actuator/health/readiness");

		assertThat(readiness.path("status").asString()).isEqualTo("UP");
		assertThat(health().path("components").path("db").path("status").asString()).isEqualTo("UP");
	}

	private void publish(Reading reading, String responseTopic, String correlation) throws Exception {
		this.device.publish(TOPICS.readings(reading.deviceId()), this.codec.encode(reading), responseTopic,
				correlation);
	}

	private String status(Received ack) {
		return this.json.readTree(ack.payload()).path("status").asString();
	}

	private JsonNode health() throws Exception {
		return get("/actuator/health");
	}

	private JsonNode get(String path) throws Exception {
		return this.json.readTree(body(path));
	}

	private String body(String path) throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).build(),
					HttpResponse.BodyHandlers.ofString());
		return response.body();
	}

	static Reading reading(String deviceId, long seq) {
		return new Reading(deviceId, seq, Instant.now().truncatedTo(ChronoUnit.MILLIS), 1000, 1234.5,
				20 * Math.log10(1234.5 / 32768), 4000, "synthetic");
	}

}
