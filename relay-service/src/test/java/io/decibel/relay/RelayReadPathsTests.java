package io.decibel.relay;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;

import io.decibel.contract.Reading;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.relay.MqttTestClient.Received;
import io.decibel.relay.readings.StoredReading;
import io.decibel.relay.readings.StoredReadingRepository;
import io.decibel.testsupport.TestInfrastructure;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The read paths that must cost what they return, through the real database: pages of {@code /api/readings} by
 * cursor, and the delivery gauges kept as the relay stores.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "decibel.relay.delivery.recount=1s")
class RelayReadPathsTests {

	static final String ROOT = TestInfrastructure.uniqueName("relay");

	static final Topics TOPICS = new Topics(ROOT);

	/** The API's order: newest stored first, then device, then seq, all descending. */
	static final Comparator<StoredReading> NEWEST_STORED_FIRST = Comparator.comparing(StoredReading::getStoredAt)
		.thenComparing(StoredReading::getDeviceId)
		.thenComparingLong(StoredReading::getSeq)
		.reversed();

	final TelemetryCodec codec = new TelemetryCodec();

	final JsonMapper json = JsonMapper.builder().build();

	@Autowired
	StoredReadingRepository repository;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	TransactionTemplate transaction;

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
		await().until(() -> get("/actuator/health").path("components").path("mqtt").path("status").asString()
			.equals("UP"));
	}

	@AfterEach
	void disconnectDevice() throws Exception {
		this.device.close();
	}

	@Test
	void pagesThroughEveryReadingOnceNewestStoredFirstWhileMoreAreStored() throws Exception {
		// given: readings of three devices, sent at once so that batches hold several (and share a storedAt)
		BlockingQueue<Received> acks = this.device.subscribe(TOPICS.acks("+"));
		List<Reading> sent = new ArrayList<>();
		for (int seq = 0; seq < 80; seq++) {
			for (String deviceId : List.of("pager-a", "pager-b", "pager-c")) {
				sent.add(reading(deviceId, seq));
			}
		}
		storeAll(sent, acks);
		List<StoredReading> before = this.repository.findAll().stream().sorted(NEWEST_STORED_FIRST).toList();
		assertThat(before.stream().map(StoredReading::getStoredAt).distinct().count())
			.as("readings that share a storedAt, ordered by device and seq").isLessThan(before.size());

		// when: page by page, with more readings stored between the pages
		List<String> seen = new ArrayList<>();
		String after = null;
		int pages = 0;
		do {
			JsonNode page = get("/api/readings?size=7" + ((after != null) ? "&after=" + encode(after) : ""));
			assertThat(page.path("items").size()).isLessThanOrEqualTo(7);
			page.path("items").forEach((item) -> seen.add(key(item)));
			after = page.path("next").isNull() ? null : page.path("next").asString();
			if (++pages % 5 == 0) {
				storeAll(List.of(reading("pager-a", 1000 + pages), reading("pager-d", pages)), acks);
			}
		}
		while (after != null);

		// then: each reading stored before the first page exactly once, in the order of the API
		assertThat(seen).containsExactlyElementsOf(before.stream().map(RelayReadPathsTests::key).toList());
		assertThat(pages).isGreaterThan(30);
	}

	@Test
	void pagesThroughOneDevicesReadingsWithTheCursor() throws Exception {
		// given
		BlockingQueue<Received> acks = this.device.subscribe(TOPICS.acks("+"));
		List<Reading> sent = new ArrayList<>();
		for (int seq = 0; seq < 30; seq++) {
			sent.add(reading("single-a", seq));
			sent.add(reading("single-b", seq));
		}
		storeAll(sent, acks);
		List<StoredReading> stored = this.repository.findAll()
			.stream()
			.filter((reading) -> reading.getDeviceId().equals("single-b"))
			.sorted(NEWEST_STORED_FIRST)
			.toList();
		List<String> expected = stored.stream().map(RelayReadPathsTests::key).toList();

		// when
		List<String> seen = new ArrayList<>();
		String after = null;
		do {
			JsonNode page = get("/api/readings?device=single-b&size=4"
					+ ((after != null) ? "&after=" + encode(after) : ""));
			page.path("items").forEach((item) -> seen.add(key(item)));
			after = page.path("next").isNull() ? null : page.path("next").asString();
			storeAll(List.of(reading("single-b", 100 + seen.size())), acks);
		}
		while (after != null);

		// then
		assertThat(seen).hasSize(30).containsExactlyElementsOf(expected);
		// and a window of storage time, from (included) to (excluded): all but the newest and the oldest batch
		List<StoredReading> all = this.repository.findAll()
			.stream()
			.filter((reading) -> reading.getDeviceId().equals("single-b"))
			.sorted(NEWEST_STORED_FIRST)
			.toList();
		List<Instant> batches = all.stream().map(StoredReading::getStoredAt).distinct().toList();
		Instant from = batches.get(batches.size() - 2);
		Instant to = batches.get(1);
		JsonNode window = get("/api/readings?device=single-b&size=500&from=" + from + "&to=" + to);
		assertThat(window.path("items").valueStream().map(RelayReadPathsTests::key).toList())
			.containsExactlyElementsOf(all.stream()
				.filter((reading) -> !reading.getStoredAt().isBefore(from) && reading.getStoredAt().isBefore(to))
				.map(RelayReadPathsTests::key)
				.toList())
			.isNotEmpty();
	}

	@Test
	void keepsTheDeliveryGaugesInStepWithTheTable() throws Exception {
		// given: a device with gaps, and a reading sent twice
		BlockingQueue<Received> acks = this.device.subscribe(TOPICS.acks("+"));
		storeAll(List.of(reading("meter", 0), reading("meter", 1), reading("meter", 2), reading("meter", 5),
				reading("meter", 6), reading("meter", 9)), acks);
		storeAll(List.of(reading("meter", 2)), acks);

		// then: the gauges, once the device is counted, say what the table holds
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertGauges("meter", 6, 4, 9));
		assertDeliveryReport("meter", 6, 4, 9);

		// when: more readings, stored by this relay
		storeAll(List.of(reading("meter", 3), reading("meter", 4), reading("meter", 10)), acks);

		// then: added as they are stored
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertGauges("meter", 9, 2, 10));
		assertDeliveryReport("meter", 9, 2, 10);

		// when: readings stored by another relay of the share group, then one more by this relay a while later
		Instant storedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
		this.transaction.executeWithoutResult((status) -> {
			for (long seq : new long[] { 7, 8, 11 }) {
				this.jdbc.update("insert into readings (device_id, seq, sampled_at, received_at, stored_at, window_ms,"
						+ " rms, dbfs, peak, source) values (?, ?, ?, ?, ?, 1000, 1234.5, -28.5, 4000, 'synthetic')",
						"meter", seq, Timestamp.from(storedAt), Timestamp.from(storedAt), Timestamp.from(storedAt));
			}
		});
		Thread.sleep(1100);
		storeAll(List.of(reading("meter", 12)), acks);

		// then: the device, missing seqs, is counted again: the gauges agree with the table
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertGauges("meter", 13, 0, 12));
		assertDeliveryReport("meter", 13, 0, 12);
	}

	private void assertGauges(String deviceId, long stored, long missing, long lastSeq) throws Exception {
		assertThat(gauge("decibel_relay_device_readings_stored", deviceId)).isEqualTo((double) stored);
		assertThat(gauge("decibel_relay_device_readings_missing", deviceId)).isEqualTo((double) missing);
		assertThat(gauge("decibel_relay_device_seq_last", deviceId)).isEqualTo((double) lastSeq);
	}

	private void assertDeliveryReport(String deviceId, long stored, long missing, long lastSeq) throws Exception {
		JsonNode report = get("/api/devices/" + deviceId + "/delivery");
		assertThat(report.path("stored").asLong()).isEqualTo(stored);
		assertThat(report.path("missing").asLong()).isEqualTo(missing);
		assertThat(report.path("lastSeq").asLong()).isEqualTo(lastSeq);
	}

	private @Nullable Double gauge(String name, String deviceId) throws Exception {
		String prefix = name + "{";
		String tag = "device=\"" + deviceId + "\"";
		return body("/actuator/prometheus").lines()
			.filter((line) -> line.startsWith(prefix) && line.contains(tag))
			.map((line) -> Double.valueOf(line.substring(line.lastIndexOf(' ') + 1)))
			.findFirst()
			.orElse(null);
	}

	/** Sends the readings all at once and waits for an answer to each. */
	private void storeAll(List<Reading> readings, BlockingQueue<Received> acks) throws Exception {
		for (Reading reading : readings) {
			this.device.publish(TOPICS.readings(reading.deviceId()), this.codec.encode(reading), null, null);
		}
		Set<String> answered = new HashSet<>();
		while (answered.size() < readings.stream().map(RelayReadPathsTests::key).distinct().count()) {
			JsonNode ack = this.json.readTree(MqttTestClient.next(acks).payload());
			answered.add(ack.path("deviceId").asString() + "/" + ack.path("seq").asLong());
		}
	}

	private static String key(Reading reading) {
		return reading.deviceId() + "/" + reading.seq();
	}

	private static String key(StoredReading reading) {
		return reading.getDeviceId() + "/" + reading.getSeq();
	}

	private static String key(JsonNode item) {
		return item.path("deviceId").asString() + "/" + item.path("seq").asLong();
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
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
