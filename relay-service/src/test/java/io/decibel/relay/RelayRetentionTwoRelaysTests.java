package io.decibel.relay;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import io.decibel.testsupport.SqlNumbers;
import io.decibel.testsupport.TestInfrastructure;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two relays run retention on the same database at once: the backlog goes once, and every horizon is right. */
class RelayRetentionTwoRelaysTests {

	static final DateTimeFormatter DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS")
		.withZone(ZoneOffset.UTC);

	final String root = TestInfrastructure.uniqueName("retention");

	final String database = TestInfrastructure.uniqueName("retention");

	final JsonMapper json = JsonMapper.builder().build();

	@Test
	void twoRelaysDeleteABacklogBetweenThemEachRowOnce() throws Exception {
		// started one after the other: the first migrates the database
		try (ConfigurableApplicationContext first = startRelay();
				ConfigurableApplicationContext second = startRelay()) {
			// given: 30,000 readings of 300 devices, 100 each, stored 40 days ago, interleaved
			int devices = 300;
			int backlog = devices * 100;
			JdbcTemplate jdbc = first.getBean(JdbcTemplate.class);
			Instant aged = Instant.now().minus(Duration.ofDays(40));

			// when: both relays' retention runs every 200 ms
			first.getBean(TransactionTemplate.class).executeWithoutResult((status) -> jdbc.update("""
					insert into readings (device_id, seq, sampled_at, received_at, stored_at, window_ms, rms, dbfs, peak,
					  source)
					select concat('shared-', n mod %d), n div %d, t, t, t, 1000, 1234.5, -28.5, 4000, 'synthetic'
					from (select seq as n, timestamp'%s' + interval seq * 1000 microsecond as t
					      from %s numbers) g""".formatted(devices, devices, DATETIME.format(aged),
							SqlNumbers.range(0, backlog - 1))));

			// then: all of it goes, each row deleted by one relay only, and both took part
			await().atMost(Duration.ofSeconds(120)).until(() -> count(jdbc, "select count(*) from readings") == 0);
			double byFirst = deleted(first);
			double bySecond = deleted(second);
			assertThat(byFirst + bySecond).isEqualTo(backlog);
			assertThat(byFirst).as("deleted by the first relay").isPositive();
			assertThat(bySecond).as("deleted by the second relay").isPositive();
			// every device's horizon one above its highest seq, and its report with nothing missing
			assertThat(count(jdbc, "select count(*) from reading_horizons where retained_from = 100"))
				.isEqualTo(devices);
			for (ConfigurableApplicationContext relay : List.of(first, second)) {
				JsonNode report = get(relay, "/api/devices/shared-7/delivery");
				assertThat(report.path("retainedFrom").asLong()).isEqualTo(100);
				assertThat(report.path("stored").asLong()).isZero();
				assertThat(report.path("missing").asLong()).isZero();
			}
		}
	}

	private ConfigurableApplicationContext startRelay() {
		List<String> arguments = new ArrayList<>(List.of("--server.port=0",
				"--decibel.mqtt.url=" + TestInfrastructure.mqttUrl(), "--decibel.mqtt.topic-root=" + this.root,
				"--decibel.mqtt.client-id=" + TestInfrastructure.uniqueName("relay"),
				"--spring.datasource.url=" + TestInfrastructure.jdbcUrl(this.database),
				"--spring.datasource.username=" + TestInfrastructure.dbUsername(),
				"--spring.datasource.password=" + TestInfrastructure.dbPassword(),
				"--decibel.relay.retention.interval=200ms", "--decibel.relay.retention.chunk=200",
				"--decibel.relay.retention.pause=1ms"));
		return new SpringApplicationBuilder(RelayApplication.class).run(arguments.toArray(String[]::new));
	}

	private static double deleted(ConfigurableApplicationContext relay) {
		return relay.getBean(MeterRegistry.class)
			.get("decibel.relay.retention.deleted")
			.tag("table", "readings")
			.counter()
			.count();
	}

	private static long count(JdbcTemplate jdbc, String sql) {
		Long count = jdbc.queryForObject(sql, Long.class);
		return (count != null) ? count : 0;
	}

	private JsonNode get(ConfigurableApplicationContext relay, String path) throws Exception {
		String port = relay.getEnvironment().getProperty("local.server.port");
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
					HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(path).isEqualTo(200);
		return this.json.readTree(response.body());
	}

}
