package io.decibel.relay;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
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
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A relay whose own clock is wrong, on the real broker and database: its clock set by the test two days slow or 31
 * days fast. Stored times, retention's cut-off and the sampledAt check go by the database's clock, so no valid reading
 * is refused and nothing is deleted early; the relay is not ready while its clock is off by more than
 * {@code decibel.relay.database.max-clock-skew}, and a reading failing the time check meanwhile is left unanswered
 * rather than refused for good.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "decibel.relay.database.clock-check-interval=200ms", "decibel.relay.retention.interval=200ms",
				"decibel.relay.retention.pause=20ms", "management.endpoint.health.show-details=always" })
class RelayClockSkewTests {

	static final String ROOT = TestInfrastructure.uniqueName("clock");

	static final Topics TOPICS = new Topics(ROOT);

	static final DateTimeFormatter DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS")
		.withZone(ZoneOffset.UTC);

	static final Duration TWO_DAYS_SLOW = Duration.ofDays(-2);

	static final Duration THIRTY_ONE_DAYS_FAST = Duration.ofDays(31);

	final TelemetryCodec codec = new TelemetryCodec();

	final JsonMapper json = JsonMapper.builder().build();

	@Autowired
	SettableClock clock;

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
	void connectDevice(CapturedOutput output) throws Exception {
		this.device = MqttTestClient.connect();
		await().atMost(Duration.ofSeconds(30)).until(() -> readinessStatus() == 200);
		this.logged = output.getOut().length();
	}

	@AfterEach
	void setTheClockRight(CapturedOutput output) throws Exception {
		this.device.close();
		this.clock.set(Duration.ZERO);
		await().atMost(Duration.ofSeconds(30)).until(() -> readinessStatus() == 200);
		assertThat(output.getOut().substring(this.logged).lines()).noneMatch(LogLines::isSqlTrouble);
	}

	@Test
	void storesEveryValidReadingByTheDatabasesTimeWhileItsClockIsTwoDaysSlow() throws Exception {
		// given: the relay's clock two days slow, and the relay has measured it
		this.clock.set(TWO_DAYS_SLOW);
		await().atMost(Duration.ofSeconds(30)).until(() -> readinessStatus() == 503);
		BlockingQueue<Received> acks = this.device.subscribe(TOPICS.acks("+"));
		Instant before = databaseTime();

		// when: readings sampled now (two days ahead of the relay's clock)
		Map<String, String> statuses = storeAll(readings("slow-relay", 0, 20), acks);
		Instant after = databaseTime();

		// then: all stored, each at the database's time
		assertThat(statuses).hasSize(20).allSatisfy((key, status) -> assertThat(status).isEqualTo("STORED"));
		assertThat(storedAt("slow-relay")).hasSize(20)
			.allSatisfy((storedAt) -> assertThat(storedAt).isBetween(before.minusSeconds(1), after.plusSeconds(1)));
	}

	@Test
	void deletesNothingEarlyWhileItsClockIsThirtyOneDaysFast() throws Exception {
		// given: the relay's clock 31 days fast, and readings it has just stored
		this.clock.set(THIRTY_ONE_DAYS_FAST);
		await().atMost(Duration.ofSeconds(30)).until(() -> readinessStatus() == 503);
		BlockingQueue<Received> acks = this.device.subscribe(TOPICS.acks("+"));
		Instant before = databaseTime();
		Map<String, String> statuses = storeAll(readings("fast-relay", 0, 20), acks);
		Instant after = databaseTime();
		assertThat(statuses).hasSize(20).allSatisfy((key, status) -> assertThat(status).isEqualTo("STORED"));
		assertThat(storedAt("fast-relay")).hasSize(20)
			.allSatisfy((storedAt) -> assertThat(storedAt).isBetween(before.minusSeconds(1), after.plusSeconds(1)));

		// when: readings stored 31 days ago by the database's clock are added, for retention's runs to find
		this.transaction.executeWithoutResult((status) -> this.jdbc.update("""
				insert into readings (device_id, seq, sampled_at, received_at, stored_at, window_ms, rms, dbfs, peak,
				  source)
				select 'aged-by-database', seq, t, t, t, 1000, 1234.5, -28.5, 4000, 'synthetic'
				from (select seq, utc_timestamp(6) - interval 31 day as t
				      from (select 0 as seq union all select 1 union all select 2) s) g"""));

		// then: a run deletes them, and keeps what the relay has just stored
		await().atMost(Duration.ofSeconds(30)).until(() -> count("aged-by-database") == 0);
		assertThat(count("fast-relay")).isEqualTo(20);
	}

	@Test
	void isNotReadyWhileItsClockIsFurtherFromTheDatabasesThanTheMaxSkew(CapturedOutput output) throws Exception {
		// given: a ready relay, its clock right
		assertThat(readiness().path("components").path("databaseClock").path("status").asString()).isEqualTo("UP");
		double skewedBefore = metric("decibel_relay_database_clock_skewed_total");

		// when: its clock goes two days slow
		this.clock.set(TWO_DAYS_SLOW);

		// then: not ready, the skew in the details, and in the metrics
		await().atMost(Duration.ofSeconds(30)).until(() -> readinessStatus() == 503);
		JsonNode clockHealth = readiness().path("components").path("databaseClock");
		assertThat(clockHealth.path("status").asString()).isEqualTo("DOWN");
		assertThat(Duration.parse(clockHealth.path("details").path("skew").asString()))
			.isBetween(TWO_DAYS_SLOW.minusSeconds(5), TWO_DAYS_SLOW.plusSeconds(5));
		assertThat(clockHealth.path("details").path("maxSkew").asString()).isEqualTo("PT5S");
		assertThat(metric("decibel_relay_database_clock_skew_seconds")).isBetween(-172_805.0, -172_795.0);
		assertThat(metric("decibel_relay_database_clock_skewed_total")).isEqualTo(skewedBefore + 1);
		// logged once, however often the clock is read meanwhile
		awaitTwoMoreReads();
		assertThat(warnings(output, "The relay's clock is")).hasSize(1);

		// when: its clock is set right again
		this.clock.set(Duration.ZERO);

		// then: ready again
		await().atMost(Duration.ofSeconds(30)).until(() -> readinessStatus() == 200);
		assertThat(metric("decibel_relay_database_clock_skew_seconds")).isBetween(-5.0, 5.0);
		assertThat(metric("decibel_relay_database_clock_skewed_total")).isEqualTo(skewedBefore + 1);
	}

	@Test
	void leavesAReadingFailingTheTimeCheckUnansweredWhileItsClockIsOffAndRejectsItOnceRight(CapturedOutput output)
			throws Exception {
		// given: the relay's clock two days slow, and a device whose clock is three days ahead
		this.clock.set(TWO_DAYS_SLOW);
		await().atMost(Duration.ofSeconds(30)).until(() -> readinessStatus() == 503);
		BlockingQueue<Received> acks = this.device.subscribe(TOPICS.acks("+"));
		double unansweredBefore = metric("decibel_relay_readings_unanswered_total");
		Reading ahead = reading("ahead", 0, Instant.now().plus(Duration.ofDays(3)));

		// when: it sends that reading, then a reading with a right clock
		this.device.publish(TOPICS.readings("ahead"), this.codec.encode(ahead), null, null);
		Map<String, String> statuses = storeAll(readings("in-time", 0, 1), acks);

		// then: the second is stored; the first is neither stored nor answered, but counted and logged
		assertThat(statuses).containsExactly(Map.entry("in-time/0", "STORED"));
		assertThat(acks).isEmpty();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> metric("decibel_relay_readings_unanswered_total") == unansweredBefore + 1);
		assertThat(count("ahead")).isZero();
		assertThat(warnings(output, "Left a reading on " + TOPICS.readings("ahead") + " unanswered")).hasSize(1);

		// when: the relay's clock is right again and the device sends the reading again
		this.clock.set(Duration.ZERO);
		await().atMost(Duration.ofSeconds(30)).until(() -> readinessStatus() == 200);
		this.device.publish(TOPICS.readings("ahead"), this.codec.encode(ahead), null, null);

		// then: it is refused, for good, by the database's clock
		JsonNode answer = this.json.readTree(MqttTestClient.next(acks).payload());
		assertThat(answer.path("deviceId").asString()).isEqualTo("ahead");
		assertThat(answer.path("status").asString()).isEqualTo("REJECTED");
		assertThat(answer.path("reason").asString()).contains("sampledAt");
		assertThat(count("ahead")).isZero();
	}

	private List<String> warnings(CapturedOutput output, String text) {
		return output.getOut().substring(this.logged).lines().filter((line) -> line.contains(" WARN "))
			.filter((line) -> line.contains(text))
			.toList();
	}

	/** Waits until the relay has read the database's clock twice more (its health says when it last did). */
	private void awaitTwoMoreReads() throws Exception {
		for (int i = 0; i < 2; i++) {
			String last = databaseClockDetail("databaseTime");
			await().atMost(Duration.ofSeconds(30)).until(() -> !databaseClockDetail("databaseTime").equals(last));
		}
	}

	private String databaseClockDetail(String name) throws Exception {
		return readiness().path("components").path("databaseClock").path("details").path(name).asString();
	}

	private Instant databaseTime() {
		String now = this.jdbc.queryForObject("select date_format(utc_timestamp(6), '%Y-%m-%d %H:%i:%s.%f')",
				String.class);
		return DATETIME.parse(now, Instant::from);
	}

	private List<Instant> storedAt(String deviceId) {
		return this.jdbc.queryForList("select date_format(stored_at, '%Y-%m-%d %H:%i:%s.%f') from readings"
				+ " where device_id = ?", String.class, deviceId)
			.stream()
			.map((text) -> DATETIME.parse(text, Instant::from))
			.toList();
	}

	private long count(String deviceId) {
		Long count = this.jdbc.queryForObject("select count(*) from readings where device_id = ?", Long.class,
				deviceId);
		return (count != null) ? count : 0;
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

	private static List<Reading> readings(String deviceId, long from, int count) {
		List<Reading> readings = new ArrayList<>();
		for (long seq = from; seq < from + count; seq++) {
			readings.add(reading(deviceId, seq, Instant.now()));
		}
		return readings;
	}

	private static Reading reading(String deviceId, long seq, Instant sampledAt) {
		return new Reading(deviceId, seq, sampledAt.truncatedTo(ChronoUnit.MILLIS), 1000, 1234.5,
				20 * Math.log10(1234.5 / 32768), 4000, "synthetic");
	}

	private double metric(String name) throws Exception {
		return body("/actuator/prometheus").lines()
			.filter((line) -> line.startsWith(name + "{") || line.startsWith(name + " "))
			.mapToDouble((line) -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
			.findFirst()
			.orElse(Double.NaN);
	}

	private int readinessStatus() throws Exception {
		return response("/actuator/health/readiness").statusCode();
	}

	private JsonNode readiness() throws Exception {
		return this.json.readTree(response("/actuator/health/readiness").body());
	}

	private String body(String path) throws Exception {
		return response(path).body();
	}

	private HttpResponse<String> response(String path) throws Exception {
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).build(),
					HttpResponse.BodyHandlers.ofString());
	}

	/** The system's clock, set off by the test. */
	static final class SettableClock extends Clock {

		private volatile Duration offset = Duration.ZERO;

		void set(Duration offset) {
			this.offset = offset;
		}

		@Override
		public Instant instant() {
			return Instant.now().plus(this.offset);
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			throw new UnsupportedOperationException();
		}

	}

	@TestConfiguration(proxyBeanMethods = false)
	static class TestClock {

		@Bean
		@Primary
		SettableClock settableClock() {
			return new SettableClock();
		}

	}

}
