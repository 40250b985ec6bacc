package io.decibel.relay;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;

import io.decibel.contract.Reading;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.relay.MqttTestClient.Received;
import io.decibel.testsupport.SqlNumbers;
import io.decibel.testsupport.LogLines;
import io.decibel.testsupport.TestInfrastructure;
import org.jspecify.annotations.Nullable;
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
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Retention on the real broker and database, which ages rows by the database's clock: the test ages rows by moving
 * their times back. What is older than its retention period goes, the rest stays, the delivery report covers what is
 * kept, and ingest goes on while a large backlog is deleted.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "decibel.relay.retention.interval=200ms", "decibel.relay.retention.chunk=500",
				"decibel.relay.retention.pause=20ms", "decibel.relay.delivery.recount=1s" })
class RelayRetentionTests {

	static final String ROOT = TestInfrastructure.uniqueName("relay");

	static final Topics TOPICS = new Topics(ROOT);

	static final DateTimeFormatter DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS")
		.withZone(ZoneOffset.UTC);

	final TelemetryCodec codec = new TelemetryCodec();

	final JsonMapper json = JsonMapper.builder().build();

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	TransactionTemplate transaction;

	@LocalServerPort
	int port;

	MqttTestClient device;

	/** How much of the captured output was there when the test began. */
	int logged;

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

	@BeforeEach
	void markTheLog(CapturedOutput output) {
		// what this test logs, not what was logged before it (another test's context closing, say)
		this.logged = output.getOut().length();
	}

	@AfterEach
	void loggedNoSqlTrouble(CapturedOutput output) {
		// on either server, through either driver: the server takes the SQL of every statement
		assertThat(output.getOut().substring(this.logged).lines()).noneMatch(LogLines::isSqlTrouble);
	}

	@Test
	void deletesWhatIsOlderThanItsRetentionAndKeepsTheRest() throws Exception {
		// given: readings and a refused payload, stored now; aggregates of a minute, an hour and a day of 51 days ago
		// and of 381 days ago (the aggregates of devices of their own: the readings count in minutes of theirs)
		BlockingQueue<Received> acks = this.device.subscribe(TOPICS.acks("+"));
		storeAll(readings("porch", 0, 10), acks);
		this.device.publish(TOPICS.readings("porch"), new byte[] { (byte) 0xff }, null, null);
		await().until(() -> count("select count(*) from quarantine where device_id = 'porch'") == 1);
		Instant now = Instant.now();
		insertAggregates("porch-aggregates", now.minus(Duration.ofDays(51)));
		insertAggregates("porch-aggregates-old", now.minus(Duration.ofDays(381)));
		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(gauge("decibel_relay_device_readings_stored", "porch")).isEqualTo(10.0));

		// when: 31 days later, ten more readings, but for seq 15
		age("porch", Duration.ofDays(31));
		List<Reading> newer = readings("porch", 10, 10);
		newer.removeIf((reading) -> reading.seq() == 15);
		storeAll(newer, acks);

		// then: the readings and the refused payload of 31 days ago are gone, the newer readings are kept
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(seqs("porch")).containsExactly(10L, 11L, 12L, 13L, 14L, 16L, 17L, 18L,
					19L));
		await().atMost(Duration.ofSeconds(30))
			.until(() -> count("select count(*) from quarantine where device_id = 'porch'") == 0);
		// the minute of 51 days ago is kept (365 days), the hour and day for ever
		assertThat(aggregates("porch-aggregates")).containsEntry("level_minutes", 1L)
			.containsEntry("level_hours", 1L)
			.containsEntry("level_days", 1L);
		// the delivery report covers what is kept: the deleted readings are not missing, seq 15 is
		JsonNode report = get("/api/devices/porch/delivery");
		assertThat(report.path("retainedFrom").asLong()).isEqualTo(10);
		assertThat(report.path("stored").asLong()).isEqualTo(9);
		assertThat(report.path("firstSeq").asLong()).isEqualTo(10);
		assertThat(report.path("lastSeq").asLong()).isEqualTo(19);
		assertThat(report.path("missing").asLong()).isEqualTo(1);
		assertThat(report.path("gaps").toString()).isEqualTo("[{\"from\":15,\"to\":15}]");
		// and so do the gauges
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			assertThat(gauge("decibel_relay_device_readings_stored", "porch")).isEqualTo(9.0);
			assertThat(gauge("decibel_relay_device_readings_missing", "porch")).isEqualTo(1.0);
		});
		// an operator sees retention work
		String scrape = body("/actuator/prometheus");
		assertThat(counter(scrape, "decibel_relay_retention_deleted_total", "table=\"readings\""))
			.isGreaterThanOrEqualTo(10);
		assertThat(counter(scrape, "decibel_relay_retention_deleted_total", "table=\"quarantine\""))
			.isGreaterThanOrEqualTo(1);
		assertThat(scrape).contains("decibel_relay_retention_last_run_seconds{");

		// when: the newer readings' 30 days are over as well
		age("porch", Duration.ofDays(330));

		// then: the minute of 381 days ago is gone, its hour and day stay; the newer readings go now too
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(aggregates("porch-aggregates-old")).containsEntry("level_minutes", 0L)
				.containsEntry("level_hours", 1L)
				.containsEntry("level_days", 1L));
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(seqs("porch")).isEmpty());
		assertThat(counter(body("/actuator/prometheus"), "decibel_relay_retention_deleted_total",
				"table=\"level_minutes\""))
			.isGreaterThanOrEqualTo(1);
		JsonNode empty = get("/api/devices/porch/delivery");
		assertThat(empty.path("retainedFrom").asLong()).isEqualTo(20);
		assertThat(empty.path("stored").asLong()).isZero();
		assertThat(empty.path("missing").asLong()).isZero();
		assertThat(empty.path("gaps").size()).isZero();
	}

	@Test
	void storesAndAcknowledgesEveryReadingWhileALargeBacklogIsDeleted() throws Exception {
		// given: 60,000 readings of 60 devices stored 40 days ago, interleaved as a fleet's are
		int backlog = 60_000;
		Instant aged = Instant.now().minus(Duration.ofDays(40));
		this.transaction.executeWithoutResult((status) -> this.jdbc.update("""
				insert into readings (device_id, seq, sampled_at, received_at, stored_at, window_ms, rms, dbfs, peak,
				  source)
				select concat('aged-', n mod 60), n div 60, t, t, t, 1000, 1234.5, -28.5, 4000, 'synthetic'
				from (select seq as n, timestamp'%s' + interval seq * 1000 microsecond as t
				      from %s numbers) g""".formatted(DATETIME.format(aged), SqlNumbers.range(0, backlog - 1))));
		BlockingQueue<Received> acks = this.device.subscribe(TOPICS.acks("+"));

		// when: readings of 10 devices while retention deletes the backlog
		List<Reading> sent = new ArrayList<>();
		for (int seq = 0; seq < 100; seq++) {
			for (int d = 0; d < 10; d++) {
				sent.add(reading("busy-" + d, seq));
			}
		}
		long agedLeftAtStart = count("select count(*) from readings where device_id like 'aged-%'");
		Map<String, String> statuses = storeAll(sent, acks);

		// then: each reading acknowledged STORED and stored once
		assertThat(agedLeftAtStart).as("the backlog was still being deleted as the readings came").isPositive();
		assertThat(statuses).hasSize(1000).allSatisfy((key, status) -> assertThat(status).isEqualTo("STORED"));
		assertThat(count("select count(*) from readings where device_id like 'busy-%'")).isEqualTo(1000);
		// and the backlog goes, in full
		await().atMost(Duration.ofSeconds(120))
			.until(() -> count("select count(*) from readings where device_id like 'aged-%'") == 0);
		assertThat(get("/api/devices/aged-7/delivery").path("retainedFrom").asLong()).isEqualTo(backlog / 60);
		assertThat(get("/api/devices/aged-7/delivery").path("missing").asLong()).isZero();
		assertThat(get("/api/devices/busy-3/delivery").path("stored").asLong()).isEqualTo(100);
	}

	/** Moves the times of a device's readings and refused payloads back, as if they were stored that long ago. */
	private void age(String deviceId, Duration by) {
		long seconds = by.toSeconds();
		this.transaction.executeWithoutResult((status) -> {
			this.jdbc.update("update readings set stored_at = stored_at - interval ? second,"
					+ " received_at = received_at - interval ? second where device_id = ?", seconds, seconds, deviceId);
			this.jdbc.update("update quarantine set received_at = received_at - interval ? second where device_id = ?",
					seconds, deviceId);
		});
	}

	private void insertAggregates(String deviceId, Instant start) {
		String minute = DATETIME.format(start.truncatedTo(ChronoUnit.MINUTES));
		String hour = DATETIME.format(start.truncatedTo(ChronoUnit.HOURS));
		String day = DATETIME.format(start.truncatedTo(ChronoUnit.DAYS));
		String dayEnd = DATETIME.format(start.truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(1)));
		this.transaction.executeWithoutResult((status) -> {
			this.jdbc.update("insert into level_minutes (device_id, minute_start, writer, readings, dbfs_readings,"
					+ " uncalibrated_readings, measured_ms, energy, lafmax, lafmin, histogram)"
					+ " values (?, ?, 'test', 60, 0, 0, 60000, 1.0e9, 60, 40, '500:60')", deviceId, minute);
			this.jdbc.update("insert into level_hours (device_id, hour_start, readings, dbfs_readings,"
					+ " uncalibrated_readings, measured_ms, energy, lafmax, lafmin, histogram)"
					+ " values (?, ?, 3600, 0, 0, 3600000, 1.0e11, 60, 40, '500:3600')", deviceId, hour);
			this.jdbc.update("insert into level_days (device_id, day, day_start, day_end, readings, dbfs_readings,"
					+ " uncalibrated_readings, measured_ms, energy, lafmax, lafmin, histogram, day_energy,"
					+ " day_measured_ms, evening_energy, evening_measured_ms, night_energy, night_measured_ms)"
					+ " values (?, ?, ?, ?, 86400, 0, 0, 86400000, 1.0e12, 60, 40, '500:86400', 5e11, 43200000,"
					+ " 2e11, 14400000, 3e11, 28800000)", deviceId, day.substring(0, 10), day, dayEnd);
		});
	}

	private Map<String, Long> aggregates(String deviceId) {
		Map<String, Long> counts = new HashMap<>();
		for (String table : List.of("level_minutes", "level_hours", "level_days")) {
			counts.put(table, count("select count(*) from " + table + " where device_id = '" + deviceId + "'"));
		}
		return counts;
	}

	private List<Long> seqs(String deviceId) {
		return this.jdbc.queryForList("select seq from readings where device_id = ? order by seq", Long.class,
				deviceId);
	}

	private long count(String sql) {
		Long count = this.jdbc.queryForObject(sql, Long.class);
		return (count != null) ? count : 0;
	}

	private static List<Reading> readings(String deviceId, long from, int count) {
		List<Reading> readings = new ArrayList<>();
		for (long seq = from; seq < from + count; seq++) {
			readings.add(reading(deviceId, seq));
		}
		return readings;
	}

	/** Sends the readings all at once and waits for an answer to each: its status, by device and seq. */
	private Map<String, String> storeAll(List<Reading> readings, BlockingQueue<Received> acks) throws Exception {
		for (Reading reading : readings) {
			this.device.publish(TOPICS.readings(reading.deviceId()), this.codec.encode(reading), null, null);
		}
		Map<String, String> statuses = new HashMap<>();
		while (statuses.size() < readings.size()) {
			JsonNode ack = this.json.readTree(MqttTestClient.next(acks).payload());
			statuses.put(ack.path("deviceId").asString() + "/" + ack.path("seq").asLong(),
					ack.path("status").asString());
		}
		return statuses;
	}

	private static double counter(String scrape, String name, String tag) {
		return scrape.lines()
			.filter((line) -> line.startsWith(name + "{") && line.contains(tag))
			.mapToDouble((line) -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
			.findFirst()
			.orElse(Double.NaN);
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
