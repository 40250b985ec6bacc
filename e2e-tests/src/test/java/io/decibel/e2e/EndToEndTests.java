package io.decibel.e2e;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import io.decibel.stack.FreePorts;
import io.decibel.stack.ServiceProcess;
import io.decibel.testsupport.TestInfrastructure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.decibel.e2e.ProjectFiles.projectHome;
import static io.decibel.e2e.ProjectFiles.seqs;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The product's whole scenario, on the built service jars as separate processes: a device publishes ten readings,
 * two subscribers show every one, the relay stores each once and the device gets ten STORED ACKs. It runs on the
 * embedded broker and database, or on the machine's own when {@code DECIBEL_TEST_MQTT_URL} and
 * {@code DECIBEL_TEST_JDBC_URL} name them (see {@link TestInfrastructure}).
 */
class EndToEndTests {

	static final int READINGS = 10;

	static final Duration STARTUP = Duration.ofSeconds(90);

	static final Pattern SUBSCRIBED = Pattern.compile("Connected and subscribed to");

	final List<ServiceProcess> processes = new ArrayList<>();

	@TempDir
	Path publisherState;

	@AfterEach
	void stopServices() {
		ServiceProcess.stopInReverse(this.processes);
	}

	@Test
	void everyReadingIsShownByEachSubscriberStoredOnceAndAcknowledgedToTheDevice() throws Exception {
		// given: the relay and two subscribers with the same configuration, on a topic root of this test's own
		String topicRoot = TestInfrastructure.uniqueName("e2e");
		String database = TestInfrastructure.uniqueName("e2e");
		String jdbcUrl = TestInfrastructure.jdbcUrl(database);
		ServiceProcess relay = start("relay-service", Map.of("SPRING_DATASOURCE_URL", jdbcUrl,
				"SPRING_DATASOURCE_USERNAME", TestInfrastructure.dbUsername(), "SPRING_DATASOURCE_PASSWORD",
				TestInfrastructure.dbPassword(), "DECIBEL_MQTT_CLIENT_ID", TestInfrastructure.uniqueName("relay")),
				topicRoot);
		ServiceProcess subscriber1 = start("subscriber-service", Map.of(), topicRoot);
		ServiceProcess subscriber2 = start("subscriber-service", Map.of(), topicRoot);
		relay.awaitLine(Pattern.compile("Started RelayApplication"), STARTUP);
		relay.awaitLine(SUBSCRIBED, STARTUP);
		subscriber1.awaitLine(SUBSCRIBED, STARTUP);
		subscriber2.awaitLine(SUBSCRIBED, STARTUP);

		// when: the device publishes ten readings
		ServiceProcess publisher = start("publisher-service",
				Map.of("DECIBEL_PUBLISHER_COUNT", String.valueOf(READINGS), "DECIBEL_PUBLISHER_DEVICE_ID", "e2e-device",
						"DECIBEL_PUBLISHER_SOURCE", "synthetic", "DECIBEL_PUBLISHER_WINDOW", "100ms",
						"DECIBEL_PUBLISHER_STATE_DIR", this.publisherState.toString()),
				topicRoot);

		// then: it ends by itself, every reading acknowledged as STORED, matched by seq
		assertThat(publisher.awaitExit(STARTUP)).isZero();
		Set<Long> expected = LongStream.range(0, READINGS).boxed().collect(Collectors.toCollection(TreeSet::new));
		assertThat(seqs(publisher, Pattern.compile("ACK seq=(\\d+) status=STORED"))).isEqualTo(expected);
		assertThat(publisher.countLines(Pattern.compile("All " + READINGS + " readings acknowledged"))).isOne();
		// each subscriber showed each reading
		Pattern shown = Pattern.compile("Reading device=e2e-device seq=(\\d+) level=-?\\d+\\.\\d dBFS sampled=");
		assertThat(seqs(subscriber1, shown)).isEqualTo(expected);
		assertThat(seqs(subscriber2, shown)).isEqualTo(expected);
		// the table holds exactly one row per reading, with its three timestamps
		try (Connection connection = DriverManager.getConnection(jdbcUrl, TestInfrastructure.dbUsername(),
				TestInfrastructure.dbPassword()); Statement statement = connection.createStatement()) {
			ResultSet rows = statement.executeQuery("select count(*), count(distinct seq), min(seq), max(seq),"
					+ " sum(sampled_at is not null and received_at >= sampled_at and stored_at >= received_at)"
					+ " from readings where device_id = 'e2e-device'");
			rows.next();
			assertThat(rows.getLong(1)).as("rows").isEqualTo(READINGS);
			assertThat(rows.getLong(2)).as("distinct seqs").isEqualTo(READINGS);
			assertThat(rows.getLong(3)).isZero();
			assertThat(rows.getLong(4)).isEqualTo(READINGS - 1);
			assertThat(rows.getLong(5)).as("rows with ordered timestamps").isEqualTo(READINGS);
		}
		assertThat(relay.isAlive()).isTrue();
	}

	private ServiceProcess start(String service, Map<String, String> environment, String topicRoot)
			throws Exception {
		Map<String, String> env = new HashMap<>(environment);
		env.put("DECIBEL_MQTT_URL", TestInfrastructure.mqttUrl());
		env.put("DECIBEL_MQTT_TOPIC_ROOT", topicRoot);
		env.put("SERVER_PORT", String.valueOf(FreePorts.any()));
		ServiceProcess process = ServiceProcess.start(service, ServiceProcess.jar(projectHome(), service), env,
				List.of());
		this.processes.add(process);
		return process;
	}

}
