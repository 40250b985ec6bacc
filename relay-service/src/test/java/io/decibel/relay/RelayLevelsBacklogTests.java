package io.decibel.relay;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import io.decibel.testsupport.TestInfrastructure;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * A backlog of changed minutes older than the roll-up's margin (the passes were off, or failed for a while) is taken a
 * few parts per pass, each pass its own transaction, and every hour comes out whole.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "decibel.relay.levels.rollup.period=200ms", "decibel.relay.levels.rollup.max-parts=3" })
class RelayLevelsBacklogTests {

	static final String ROOT = TestInfrastructure.uniqueName("backlog");

	final JsonMapper json = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	PlatformTransactionManager transactions;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		RelayTestProperties.register(registry, ROOT);
	}

	@Test
	void takesABacklogAFewPartsAtATimeAndRollsUpEveryHourWhole() throws Exception {
		// given: 4 minutes in each of 3 hours, each a part of 2 writers, changed 10 to 5 minutes ago, one part a
		// second; and the watermark put back 20 minutes, as if no pass had run since
		new TransactionTemplate(this.transactions).executeWithoutResult((status) -> {
			int second = 0;
			for (int hour = 0; hour < 3; hour++) {
				for (int minute = 0; minute < 4; minute++) {
					for (String writer : new String[] { "relay-a", "relay-b" }) {
						// readings 1 (a) or 2 (b), each 1 s at 50 dB (a) or 60 dB (b)
						boolean a = writer.equals("relay-a");
						this.jdbc.update("insert into level_minutes (device_id, minute_start, writer, readings,"
								+ " dbfs_readings, uncalibrated_readings, measured_ms, energy, lafmax, lafmin,"
								+ " histogram, updated_at) values ('late', ?, ?, ?, 0, 0, ?, ?, ?, ?, ?,"
								+ " utc_timestamp(6) - interval ? second)", "2026-11-04 0" + hour + ":1" + minute
								+ ":00", writer, a ? 1 : 2, a ? 1000 : 2000, a ? 1e8 : 2e9, a ? 51.0 : 61.0,
								a ? 49.0 : 59.0, a ? "500:1" : "600:2", 600 - 10 * second++);
					}
				}
			}
			this.jdbc.update("update level_rollup set watermark = utc_timestamp(6) - interval 20 minute");
		});

		// then: each hour holds its 4 minutes of both writers: 12 readings, Leq 10·log10((4·1e8 + 4·2e9) / 12000)
		double leq = 10 * Math.log10((4 * 1e8 + 4 * 2e9) / 12000);
		await().untilAsserted(() -> {
			JsonNode hours = get(
					"/api/devices/late/levels?interval=1h&from=2026-11-04T00:00:00Z&to=2026-11-04T03:00:00Z");
			assertThat(hours.path("items")).hasSize(3);
			for (JsonNode hour : hours.path("items")) {
				assertThat(hour.path("readings").asLong()).isEqualTo(12);
				assertThat(hour.path("leq").asDouble()).isCloseTo(leq, within(0.006));
				assertThat(hour.path("l50").asDouble()).isEqualTo(60.0);
				assertThat(hour.path("lafmax").asDouble()).isEqualTo(61.0);
				assertThat(hour.path("lafmin").asDouble()).isEqualTo(49.0);
			}
			JsonNode days = get(
					"/api/devices/late/levels?interval=1d&from=2026-11-04T00:00:00Z&to=2026-11-05T00:00:00Z");
			assertThat(days.path("items").get(0).path("readings").asLong()).isEqualTo(36);
		});
		// and the watermark has caught up with the passes
		assertThat(this.jdbc.queryForObject(
				"select watermark > utc_timestamp(6) - interval 1 minute from level_rollup", Boolean.class))
			.isTrue();
	}

	@Test
	void anHourWhoseMinutesRetentionDeletedKeepsItsValueWhenALateReadingComesIn() throws Exception {
		// given: hours rolled up long ago — 'old' with 120 readings, whose minutes retention has deleted since, and
		// 'kept' with 1 — and now a late minute part in each of them, of 2 readings
		new TransactionTemplate(this.transactions).executeWithoutResult((status) -> {
			for (String device : new String[] { "old", "kept" }) {
				this.jdbc.update("insert into level_hours (device_id, hour_start, readings, dbfs_readings,"
						+ " uncalibrated_readings, measured_ms, energy, lafmax, lafmin, histogram) values (?,"
						+ " '2025-06-01 10:00:00', ?, 0, 0, ?, ?, 70, 30, ?)", device, device.equals("old") ? 120 : 1,
						device.equals("old") ? 120_000 : 1000, device.equals("old") ? 1.2e11 : 1e9,
						device.equals("old") ? "600:120" : "900:1");
				this.jdbc.update("insert into level_minutes (device_id, minute_start, writer, readings, dbfs_readings,"
						+ " uncalibrated_readings, measured_ms, energy, lafmax, lafmin, histogram, updated_at) values"
						+ " (?, '2025-06-01 10:30:00', 'relay-a', 2, 0, 0, 2000, 2e4, 41, 39, '400:2',"
						+ " utc_timestamp(6))", device);
			}
		});

		// then: 'kept' is rolled up from its minutes (its hour held no more readings than they do); 'old' keeps its
		// 120 readings rather than becoming an hour of the 2 late ones
		await().untilAsserted(() -> {
			JsonNode kept = get("/api/devices/kept/levels?interval=1h&from=2025-06-01T10:00:00Z&to=2025-06-01T11:00:00Z");
			assertThat(kept.path("items").get(0).path("readings").asLong()).isEqualTo(2);
			assertThat(kept.path("items").get(0).path("leq").asDouble()).isCloseTo(10.0, within(0.006));
		});
		JsonNode old = get("/api/devices/old/levels?interval=1h&from=2025-06-01T10:00:00Z&to=2025-06-01T11:00:00Z");
		assertThat(old.path("items").get(0).path("readings").asLong()).isEqualTo(120);
		assertThat(old.path("items").get(0).path("leq").asDouble()).isCloseTo(60.0, within(0.006));
	}

	private JsonNode get(String path) throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).build(),
					HttpResponse.BodyHandlers.ofString());
		return this.json.readTree(response.body());
	}

}
