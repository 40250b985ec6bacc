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
import java.util.regex.Pattern;

import io.decibel.stack.FreePorts;
import io.decibel.stack.ServiceProcess;
import io.decibel.testsupport.TestInfrastructure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.decibel.e2e.ProjectFiles.projectHome;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A device that lost its state numbers from 0 again, on the service jars: the relay answers its first seqs
 * {@code CONFLICT} with the device's highest stored seq — which, when its new readings arrive in one batch, is one of
 * those new readings, stored in that batch. The device numbers again only what the relay answered {@code CONFLICT}:
 * numbered again, a reading the relay had stored would be stored twice.
 */
class DeviceStateLossTests {

	static final Duration STARTUP = Duration.ofMinutes(5);

	static final String DEVICE = "forgetful";

	final List<ServiceProcess> processes = new ArrayList<>();

	@TempDir
	Path firstLife;

	@TempDir
	Path secondLife;

	@AfterEach
	void stopServices() {
		ServiceProcess.stopInReverse(this.processes);
	}

	@Test
	void aDeviceThatLostItsStateHasEachReadingStoredOnce() throws Exception {
		// given: a relay that gathers what arrives within two seconds into one batch, and holds seq 0 to 2 of the
		// device from its first life
		String topicRoot = TestInfrastructure.uniqueName("forgetful");
		String jdbcUrl = TestInfrastructure.jdbcUrl(TestInfrastructure.uniqueName("forgetful"));
		ServiceProcess relay = start("relay-service", Map.of("SPRING_DATASOURCE_URL", jdbcUrl,
				"SPRING_DATASOURCE_USERNAME", TestInfrastructure.dbUsername(), "SPRING_DATASOURCE_PASSWORD",
				TestInfrastructure.dbPassword(), "DECIBEL_MQTT_CLIENT_ID", TestInfrastructure.uniqueName("relay"),
				"DECIBEL_RELAY_BATCH_WINDOW", "2s"), topicRoot);
		relay.awaitLine(Pattern.compile("Connected and subscribed to"), STARTUP);
		assertThat(publisher(topicRoot, this.firstLife, 3).awaitExit(STARTUP)).isZero();

		// when: it comes back with an empty state folder and sends ten readings at once
		ServiceProcess secondRun = publisher(topicRoot, this.secondLife, 10);

		// then: every reading acknowledged, and stored once — three from its first life, ten from its second
		assertThat(secondRun.awaitExit(STARTUP)).isZero();
		assertThat(secondRun.countLines(Pattern.compile("status=CONFLICT"))).isPositive();
		try (Connection connection = DriverManager.getConnection(jdbcUrl, TestInfrastructure.dbUsername(),
				TestInfrastructure.dbPassword()); Statement statement = connection.createStatement()) {
			ResultSet rows = statement.executeQuery("select count(*), count(distinct sampled_at, rms)"
					+ " from readings where device_id = '" + DEVICE + "'");
			rows.next();
			assertThat(rows.getLong(1)).as("rows").isEqualTo(13);
			assertThat(rows.getLong(2)).as("distinct readings").isEqualTo(13);
		}
	}

	private ServiceProcess publisher(String topicRoot, Path stateDir, int count) throws Exception {
		return start("publisher-service",
				Map.of("DECIBEL_PUBLISHER_COUNT", String.valueOf(count), "DECIBEL_PUBLISHER_DEVICE_ID", DEVICE,
						"DECIBEL_PUBLISHER_SOURCE", "synthetic", "DECIBEL_PUBLISHER_WINDOW", "1ms",
						"DECIBEL_PUBLISHER_STATE_DIR", stateDir.toString()),
				topicRoot);
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
