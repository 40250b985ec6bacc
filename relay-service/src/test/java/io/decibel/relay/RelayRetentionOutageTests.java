package io.decibel.relay;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import io.decibel.stack.EmbeddedDatabase;
import io.decibel.testsupport.TestInfrastructure;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/** Retention through a database outage: its runs fail while the database is away, and go on once it is back. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "decibel.relay.retention.interval=200ms")
class RelayRetentionOutageTests {

	static final DateTimeFormatter DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS")
		.withZone(ZoneOffset.UTC);

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	TransactionTemplate transaction;

	@Autowired
	MeterRegistry meters;

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		RelayTestProperties.register(registry, TestInfrastructure.uniqueName("relay"));
	}

	@Test
	void goesOnDeletingOnceTheDatabaseIsBack() throws Exception {
		assumeThat(TestInfrastructure.usesExternalDatabase()).as("stops the embedded database").isFalse();
		EmbeddedDatabase database = TestInfrastructure.embeddedDatabase();
		try {
			// given: runs that fail, the database away
			database.stop();
			await().atMost(Duration.ofSeconds(60)).until(() -> failedRuns() >= 1);

			// when: it is back, with a reading 40 days old
			database.start();
			await().atMost(Duration.ofSeconds(60)).until(() -> !readiness().contains("\"DOWN\""));
			String aged = DATETIME.format(Instant.now().minus(Duration.ofDays(40)));
			this.transaction.executeWithoutResult((status) -> this.jdbc.update("insert into readings (device_id, seq,"
					+ " sampled_at, received_at, stored_at, window_ms, rms, dbfs, peak, source)"
					+ " values ('outage', 0, ?, ?, ?, 1000, 1234.5, -28.5, 4000, 'synthetic')", aged, aged, aged));

			// then: a later run deletes it
			await().atMost(Duration.ofSeconds(60))
				.until(() -> this.jdbc.queryForObject("select count(*) from readings where device_id = 'outage'",
						Long.class) == 0);
		}
		finally {
			database.start();
		}
	}

	private double failedRuns() {
		return this.meters.get("decibel.relay.retention.runs.failed").counter().count();
	}

	private String readiness() throws Exception {
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/actuator/health/readiness"))
				.build(), HttpResponse.BodyHandlers.ofString())
			.body();
	}

}
