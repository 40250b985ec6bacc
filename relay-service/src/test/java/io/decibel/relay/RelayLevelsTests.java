package io.decibel.relay;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.decibel.contract.Reading;
import io.decibel.contract.SoundLevels;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.relay.MqttTestClient.Received;
import io.decibel.relay.levels.LevelMinutes;
import io.decibel.testsupport.LogLines;
import io.decibel.testsupport.TestInfrastructure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.integration.mqtt.core.Mqttv5ClientManager;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * Noise over time through the whole relay: readings published over MQTT, stored, counted in their minutes in the same
 * transaction, rolled up into hours and days of Europe/Berlin, served by {@code /api/devices/{id}/levels}. Every
 * expected figure is worked out here from the readings, by the definitions (energy average over the measured time,
 * nearest-rank L<sub>n</sub> of the readings' LAeq, Lden over the day's nominal periods), not by the relay's code.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "decibel.relay.levels.zone=Europe/Berlin", "decibel.relay.levels.rollup.period=200ms" })
class RelayLevelsTests {

	static final String ROOT = TestInfrastructure.uniqueName("levels");

	static final String DATABASE = TestInfrastructure.uniqueName("levels");

	static final Topics TOPICS = new Topics(ROOT);

	final TelemetryCodec codec = new TelemetryCodec();

	final JsonMapper json = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	MqttTestClient device;

	/** How much of the captured output was there when the test began. */
	int logged;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		RelayTestProperties.register(registry, TestInfrastructure::mqttUrl, ROOT, DATABASE);
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
	void aggregatesMinutesHoursAndDaysAcrossAnHourADayAndTheEndOfSummerTime() throws Exception {
		// given: 2026-10-25 in Berlin lasts 25 hours: at 01:00Z clocks go back from 03:00 CEST to 02:00 CET
		String id = "berlin";
		BlockingQueue<Received> acks = this.device.subscribe(TOPICS.acks(id));
		List<Reading> readings = List.of(
				// 10:59 local, the day period: calibrated, uncalibrated, and a v1 reading counted through its dBFS
				levels(id, 1, "2026-10-25T09:59:20Z", 1000, 60.0, 66.0, 50.0, true),
				levels(id, 2, "2026-10-25T09:59:40Z", 2000, -20.0, -15.0, -30.0, false),
				dbfs(id, 3, "2026-10-25T09:59:50Z", 1000, -25.0),
				// 11:00 local: the next hour
				levels(id, 4, "2026-10-25T10:00:10Z", 1000, 62.0, 68.0, 55.0, true),
				// 02:30 local twice: in summer time, then an hour later in winter time
				levels(id, 5, "2026-10-25T00:30:00Z", 1000, 40.0, 44.0, 38.0, true),
				levels(id, 6, "2026-10-25T01:30:00Z", 1000, 42.0, 45.0, 39.0, true),
				// 20:00 local, the evening; 23:59:30 local, the night; 00:00:30 local, the next day
				levels(id, 7, "2026-10-25T19:00:00Z", 1000, 55.0, 58.0, 50.0, true),
				levels(id, 8, "2026-10-25T22:59:30Z", 1000, 45.0, 47.0, 43.0, true),
				levels(id, 9, "2026-10-25T23:00:30Z", 1000, 46.0, 48.0, 44.0, true),
				// 2026-03-29 lasts 23 hours (02:00 CET is 03:00 CEST): the same level in each period
				levels(id, 11, "2026-03-29T08:00:00Z", 1000, 50.0, 52.0, 48.0, true),
				levels(id, 12, "2026-03-29T18:30:00Z", 1000, 50.0, 52.0, 48.0, true),
				levels(id, 13, "2026-03-29T00:30:00Z", 1000, 50.0, 52.0, 48.0, true));

		// when: each published, the first sent again, and another reading under the second's seq
		Map<String, Integer> statuses = new HashMap<>();
		for (Reading reading : readings) {
			publish(TOPICS, reading);
		}
		publish(TOPICS, readings.get(0));
		Reading renumbered = levels(id, 2, "2026-10-25T09:59:41Z", 2000, -20.0, -15.0, -30.0, false);
		publish(TOPICS, renumbered);
		for (int i = 0; i < readings.size() + 2; i++) {
			statuses.merge(status(MqttTestClient.next(acks)), 1, Integer::sum);
		}
		assertThat(statuses).containsExactlyInAnyOrderEntriesOf(Map.of("STORED", 12, "DUPLICATE", 1, "CONFLICT", 1));

		// then: the minute 09:59Z holds readings 1 to 3, once each
		JsonNode minute = await().until(() -> item(levels(id, "1m", "2026-10-25T09:59:00Z", "2026-10-25T10:01:00Z"),
				"2026-10-25T09:59:00Z"), (item) -> item != null);
		assertItem(minute, "2026-10-25T09:59:00Z", "2026-10-25T10:00:00Z", 3, 1, 1,
				leq(1000, 60.0, 2000, -20.0, 1000, -25.0), 66.0, -30.0, 60.0, -20.0, -25.0, 4.0 / 60);
		assertThat(minute.path("parts")).hasSize(1);
		assertThat(minute.path("parts").get(0).path("readings").asLong()).isEqualTo(3);
		assertThat(minute.path("parts").get(0).path("measuredMs").asLong()).isEqualTo(4000);
		JsonNode next = item(levels(id, "1m", "2026-10-25T09:59:00Z", "2026-10-25T10:01:00Z"), "2026-10-25T10:00:00Z");
		assertItem(next, "2026-10-25T10:00:00Z", "2026-10-25T10:01:00Z", 1, 0, 0, 62.0, 68.0, 55.0, 62.0, 62.0, 62.0,
				1.0 / 60);
		// and the day, once rolled up
		await().untilAsserted(() -> assertThat(readingsOfDay(id, "2026-10-25")).isEqualTo(8));

		// when: a late reading of the minute 09:59Z, long after it was rolled up
		Reading late = levels(id, 10, "2026-10-25T09:59:05Z", 500, 80.0, 85.0, 75.0, true);
		publish(TOPICS, late);
		assertThat(status(MqttTestClient.next(acks))).isEqualTo("STORED");

		// then: its minute, hour and day count it
		await().untilAsserted(() -> assertThat(readingsOfDay(id, "2026-10-25")).isEqualTo(9));
		double minuteLeq = leq(500, 80.0, 1000, 60.0, 2000, -20.0, 1000, -25.0);
		minute = item(levels(id, "1m", "2026-10-25T09:59:00Z", "2026-10-25T10:00:00Z"), "2026-10-25T09:59:00Z");
		assertItem(minute, "2026-10-25T09:59:00Z", "2026-10-25T10:00:00Z", 4, 1, 1, minuteLeq, 85.0, -30.0, 80.0,
				60.0, -25.0, 4.5 / 60);
		JsonNode hours = levels(id, "1h", "2026-10-24T22:00:00Z", "2026-10-26T00:00:00Z");
		assertThat(hours.path("items").valueStream().map((item) -> item.path("start").asString())).containsExactly(
				"2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z", "2026-10-25T09:00:00Z", "2026-10-25T10:00:00Z",
				"2026-10-25T19:00:00Z", "2026-10-25T22:00:00Z", "2026-10-25T23:00:00Z");
		assertItem(item(hours, "2026-10-25T09:00:00Z"), "2026-10-25T09:00:00Z", "2026-10-25T10:00:00Z", 4, 1, 1,
				minuteLeq, 85.0, -30.0, 80.0, 60.0, -25.0, 4.5 / 3600);
		assertItem(item(hours, "2026-10-25T10:00:00Z"), "2026-10-25T10:00:00Z", "2026-10-25T11:00:00Z", 1, 0, 0, 62.0,
				68.0, 55.0, 62.0, 62.0, 62.0, 1.0 / 3600);
		assertItem(item(hours, "2026-10-25T00:00:00Z"), "2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z", 1, 0, 0, 40.0,
				44.0, 38.0, 40.0, 40.0, 40.0, 1.0 / 3600);
		assertItem(item(hours, "2026-10-25T01:00:00Z"), "2026-10-25T01:00:00Z", "2026-10-25T02:00:00Z", 1, 0, 0, 42.0,
				45.0, 39.0, 42.0, 42.0, 42.0, 1.0 / 3600);

		// the day: 9 readings; Ld over readings 10, 1, 2, 3, 4; Le reading 7; Ln readings 5, 6, 8; a night of 9 hours
		JsonNode day = day(id, "2026-10-25");
		double ld = leq(500, 80.0, 1000, 60.0, 2000, -20.0, 1000, -25.0, 1000, 62.0);
		double ln = leq(1000, 40.0, 1000, 42.0, 1000, 45.0);
		double lden = 10 * Math.log10((12 * Math.pow(10, ld / 10) + 4 * Math.pow(10, (55.0 + 5) / 10)
				+ 9 * Math.pow(10, (ln + 10) / 10)) / 25);
		double all = leq(500, 80.0, 1000, 60.0, 2000, -20.0, 1000, -25.0, 1000, 62.0, 1000, 40.0, 1000, 42.0, 1000,
				55.0, 1000, 45.0);
		// LAeq high to low: 80, 62, 60, 55, 45, 42, 40, -20, -25: ranks 1, 5 and 9 of 9
		assertItem(day, "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z", 9, 1, 1, all, 85.0, -30.0, 80.0, 45.0, -25.0,
				9.5 / (25 * 3600));
		assertThat(day.path("lday").asDouble()).isCloseTo(ld, within(0.006));
		assertThat(day.path("levening").asDouble()).isCloseTo(55.0, within(0.006));
		assertThat(day.path("lnight").asDouble()).isCloseTo(ln, within(0.006));
		assertThat(day.path("lden").asDouble()).isCloseTo(lden, within(0.006));
		// the next day began at 23:00Z; only its night was measured: no Lden
		JsonNode monday = day(id, "2026-10-26");
		assertItem(monday, "2026-10-25T23:00:00Z", "2026-10-26T23:00:00Z", 1, 0, 0, 46.0, 48.0, 44.0, 46.0, 46.0,
				46.0, 1.0 / (24 * 3600));
		assertThat(monday.path("lden").isNull()).isTrue();
		assertThat(monday.path("lday").isNull()).isTrue();
		assertThat(monday.path("lnight").asDouble()).isCloseTo(46.0, within(0.006));
		// 2026-03-29: 23 hours, a night of 7; 50 dB in each period
		JsonNode spring = day(id, "2026-03-29");
		assertThat(spring.path("start").asString()).isEqualTo("2026-03-28T23:00:00Z");
		assertThat(spring.path("end").asString()).isEqualTo("2026-03-29T22:00:00Z");
		assertThat(spring.path("lden").asDouble()).isCloseTo(10 * Math.log10(
				(12 * Math.pow(10, 5.0) + 4 * Math.pow(10, 5.5) + 7 * Math.pow(10, 6.0)) / 23), within(0.006));
	}

	@Test
	void addsUpThePartsOfTwoRelaysStoringReadingsOfTheSameMinute() throws Exception {
		// given: a second relay on the same database, reading another topic root
		String otherRoot = TestInfrastructure.uniqueName("levels");
		Topics other = new Topics(otherRoot);
		String id = "shared";
		try (ConfigurableApplicationContext second = startRelay(otherRoot)) {
			BlockingQueue<Received> acks = this.device.subscribe(TOPICS.acks(id));
			BlockingQueue<Received> otherAcks = this.device.subscribe(other.acks(id));
			List<Reading> first = new ArrayList<>();
			List<Reading> last = new ArrayList<>();
			for (int seq = 0; seq < 6; seq++) {
				first.add(levels(id, seq, "2026-11-01T12:00:0" + seq + "Z", 1000, 50.0 + seq, 60.0 + seq, 40.0, true));
				last.add(levels(id, 6 + seq, "2026-11-01T12:00:1" + seq + "Z", 500, 70.0 - seq, 75.0, 30.0 + seq,
						true));
			}

			// when: six readings through each relay, and one of the first relay's again through the second
			for (int i = 0; i < 6; i++) {
				publish(TOPICS, first.get(i));
				publish(other, last.get(i));
			}
			for (int i = 0; i < 6; i++) {
				assertThat(status(MqttTestClient.next(acks))).isEqualTo("STORED");
				assertThat(status(MqttTestClient.next(otherAcks))).isEqualTo("STORED");
			}
			publish(other, first.get(0));
			assertThat(status(MqttTestClient.next(otherAcks))).isEqualTo("DUPLICATE");

			// then: a part per relay, six readings each, adding up to the minute
			double leq = leq(1000, 50.0, 1000, 51.0, 1000, 52.0, 1000, 53.0, 1000, 54.0, 1000, 55.0, 500, 70.0, 500,
					69.0, 500, 68.0, 500, 67.0, 500, 66.0, 500, 65.0);
			JsonNode minute = item(levels(id, "1m", "2026-11-01T12:00:00Z", "2026-11-01T12:01:00Z"),
					"2026-11-01T12:00:00Z");
			// LAeq high to low: 70, 69, 68, 67, 66, 65, 55, 54, 53, 52, 51, 50: ranks 2, 6 and 11 of 12
			assertItem(minute, "2026-11-01T12:00:00Z", "2026-11-01T12:01:00Z", 12, 0, 0, leq, 75.0, 30.0, 69.0, 65.0,
					51.0, 9.0 / 60);
			assertThat(minute.path("parts").valueStream().map((part) -> part.path("readings").asLong()))
				.containsExactly(6L, 6L);
			assertThat(minute.path("parts").valueStream().map((part) -> part.path("writer").asString()))
				.containsExactlyInAnyOrder(this.secondClientId,
						this.clientManager.getClientId());
			await().untilAsserted(() -> assertItem(
					item(levels(id, "1h", "2026-11-01T12:00:00Z", "2026-11-01T12:30:00Z"), "2026-11-01T12:00:00Z"),
					"2026-11-01T12:00:00Z", "2026-11-01T13:00:00Z", 12, 0, 0, leq, 75.0, 30.0, 69.0, 65.0, 51.0,
					9.0 / 3600));
			await().untilAsserted(() -> assertThat(readingsOfDay(id, "2026-11-01")).isEqualTo(12));
			assertThat(day(id, "2026-11-01").path("lday").asDouble()).isCloseTo(leq, within(0.006));
		}
	}

	@Test
	void countsNothingOfATransactionThatRolledBackAfterWritingItsMinutes() throws Exception {
		// given: a reading counted and committed
		String id = "undone";
		TransactionTemplate transaction = new TransactionTemplate(this.transactions);
		transaction.executeWithoutResult((status) -> this.minutes
			.add(List.of(levels(id, 1, "2026-11-02T08:00:01Z", 1000, 50.0, 55.0, 45.0, true))));

		// when: another counted in a transaction that rolls back, then a third committed
		transaction.executeWithoutResult((status) -> {
			this.minutes.add(List.of(levels(id, 2, "2026-11-02T08:00:02Z", 1000, 90.0, 95.0, 85.0, true)));
			status.setRollbackOnly();
		});
		transaction.executeWithoutResult((status) -> this.minutes
			.add(List.of(levels(id, 3, "2026-11-02T08:00:03Z", 1000, 60.0, 65.0, 40.0, true))));

		// then: the minute holds the first and the third
		JsonNode minute = item(levels(id, "1m", "2026-11-02T08:00:00Z", "2026-11-02T08:01:00Z"),
				"2026-11-02T08:00:00Z");
		assertItem(minute, "2026-11-02T08:00:00Z", "2026-11-02T08:01:00Z", 2, 0, 0, leq(1000, 50.0, 1000, 60.0), 65.0,
				40.0, 60.0, 60.0, 50.0, 2.0 / 60);
	}

	@Test
	void rollsUpAMinuteWhoseTransactionCommittedAfterAPassHadLooked() throws Exception {
		// given: a transaction that has written its minute, open
		String id = "slow";
		CountDownLatch written = new CountDownLatch(1);
		CountDownLatch commit = new CountDownLatch(1);
		Thread writer = new Thread(() -> new TransactionTemplate(this.transactions).executeWithoutResult((status) -> {
			this.minutes.add(List.of(levels(id, 1, "2026-11-03T10:00:01Z", 1000, 50.0, 55.0, 45.0, true)));
			written.countDown();
			try {
				commit.await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}), "slow-store");
		writer.start();
		assertThat(written.await(30, TimeUnit.SECONDS)).isTrue();

		// when: a pass begins after the minute was written, cannot see it, and moves the watermark past it; then
		// the transaction commits
		LocalDateTime afterWriting = this.jdbc.queryForObject("select utc_timestamp(6)", LocalDateTime.class);
		await().until(() -> this.jdbc.queryForObject("select watermark from level_rollup where id = 1",
				LocalDateTime.class), (watermark) -> watermark.isAfter(afterWriting));
		assertThat(readingsOfDay(id, "2026-11-03")).isEqualTo(-1);
		commit.countDown();
		writer.join();

		// then: a later pass finds it
		await().untilAsserted(() -> assertThat(readingsOfDay(id, "2026-11-03")).isEqualTo(1));
	}

	@Test
	void answersBadRequestsWithAProblem() throws Exception {
		assertThat(levels("x", "5m", null, null).path("status").asInt()).isEqualTo(400);
		assertThat(levels("x", "1m", "2026-01-01T00:00:00Z", "2026-01-03T00:00:00Z").path("detail").asString())
			.contains("at most 1 day");
		assertThat(levels("x", "1h", "2026-01-02T00:00:00Z", "2026-01-01T00:00:00Z").path("status").asInt())
			.isEqualTo(400);
		assertThat(levels("x", "1h", "yesterday", null).path("status").asInt()).isEqualTo(400);
		assertThat(get("/api/devices/x%20/levels").path("status").asInt()).isEqualTo(400);
		JsonNode empty = get("/api/devices/nobody/levels?interval=1d");
		assertThat(empty.path("interval").asString()).isEqualTo("1d");
		assertThat(empty.path("items")).isEmpty();
		assertThat(Duration.between(Instant.parse(empty.path("from").asString()),
				Instant.parse(empty.path("to").asString()))).isEqualTo(Duration.ofDays(30));
	}

	@Autowired
	Mqttv5ClientManager clientManager;

	@Autowired
	LevelMinutes minutes;

	@Autowired
	PlatformTransactionManager transactions;

	@Autowired
	JdbcTemplate jdbc;

	private String secondClientId;

	private ConfigurableApplicationContext startRelay(String topicRoot) {
		this.secondClientId = TestInfrastructure.uniqueName("relay");
		return new SpringApplicationBuilder(RelayApplication.class).run("--server.port=0",
				"--decibel.mqtt.url=" + TestInfrastructure.mqttUrl(), "--decibel.mqtt.topic-root=" + topicRoot,
				"--decibel.mqtt.client-id=" + this.secondClientId,
				"--spring.datasource.url=" + TestInfrastructure.jdbcUrl(DATABASE),
				"--spring.datasource.username=" + TestInfrastructure.dbUsername(),
				"--spring.datasource.password=" + TestInfrastructure.dbPassword(),
				"--decibel.relay.levels.zone=Europe/Berlin", "--decibel.relay.levels.rollup.period=200ms");
	}

	/** The energy average of windows given as (ms, dB) pairs: 10·log10(Σ ms·10^(dB/10) / Σ ms). */
	static double leq(double... windowsAndLevels) {
		double energy = 0;
		double ms = 0;
		for (int i = 0; i < windowsAndLevels.length; i += 2) {
			energy += windowsAndLevels[i] * Math.pow(10, windowsAndLevels[i + 1] / 10);
			ms += windowsAndLevels[i];
		}
		return 10 * Math.log10(energy / ms);
	}

	private static void assertItem(JsonNode item, String start, String end, long readings, long dbfsReadings,
			long uncalibratedReadings, double leq, double lafmax, double lafmin, double l10, double l50, double l90,
			double coverage) {
		assertThat(item).as("an item starting " + start).isNotNull();
		assertThat(item.path("start").asString()).isEqualTo(start);
		assertThat(item.path("end").asString()).isEqualTo(end);
		assertThat(item.path("readings").asLong()).isEqualTo(readings);
		assertThat(item.path("dbfsReadings").asLong()).isEqualTo(dbfsReadings);
		assertThat(item.path("uncalibratedReadings").asLong()).isEqualTo(uncalibratedReadings);
		assertThat(item.path("leq").asDouble()).isCloseTo(leq, within(0.006));
		assertThat(item.path("lafmax").asDouble()).isEqualTo(lafmax);
		assertThat(item.path("lafmin").asDouble()).isEqualTo(lafmin);
		assertThat(item.path("l10").asDouble()).isEqualTo(l10);
		assertThat(item.path("l50").asDouble()).isEqualTo(l50);
		assertThat(item.path("l90").asDouble()).isEqualTo(l90);
		assertThat(item.path("coverage").asDouble()).isCloseTo(coverage, within(1e-9));
	}

	private static Reading levels(String deviceId, long seq, String sampledAt, long windowMs, double laeq,
			double lafmax, double lafmin, boolean calibrated) {
		return new Reading(deviceId, seq, Instant.parse(sampledAt), windowMs, 1000, 20 * Math.log10(1000 / 32768.0),
				3000, "microphone", new SoundLevels(laeq, lafmax, lafmin, lafmax, lafmin, lafmin, calibrated));
	}

	/** A v1 reading: no levels, its dBFS counts as its LAeq, LAFmax and LAFmin. */
	private static Reading dbfs(String deviceId, long seq, String sampledAt, long windowMs, double dbfs) {
		double rms = 32768 * Math.pow(10, dbfs / 20);
		return new Reading(deviceId, seq, Instant.parse(sampledAt), windowMs, rms, dbfs, rms * 1.4, "synthetic");
	}

	private void publish(Topics topics, Reading reading) throws Exception {
		this.device.publish(topics.readings(reading.deviceId()), this.codec.encode(reading), null, null);
	}

	private JsonNode day(String deviceId, String day) throws Exception {
		for (JsonNode item : levels(deviceId, "1d", day + "T00:00:00Z", day + "T23:59:59Z").path("items")) {
			if (item.path("day").asString().equals(day)) {
				return item;
			}
		}
		return null;
	}

	private long readingsOfDay(String deviceId, String day) throws Exception {
		JsonNode item = day(deviceId, day);
		return (item != null) ? item.path("readings").asLong() : -1;
	}

	private static JsonNode item(JsonNode levels, String start) {
		for (JsonNode item : levels.path("items")) {
			if (item.path("start").asString().equals(start)) {
				return item;
			}
		}
		return null;
	}

	private JsonNode levels(String deviceId, String interval, String from, String to) throws Exception {
		return get("/api/devices/" + deviceId + "/levels?interval=" + interval + ((from != null) ? "&from=" + from : "")
				+ ((to != null) ? "&to=" + to : ""));
	}

	private String status(Received ack) {
		return this.json.readTree(ack.payload()).path("status").asString();
	}

	private JsonNode get(String path) throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).build(),
					HttpResponse.BodyHandlers.ofString());
		return this.json.readTree(response.body());
	}

}
