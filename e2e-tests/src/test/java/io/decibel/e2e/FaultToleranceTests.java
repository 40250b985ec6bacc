package io.decibel.e2e;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLSyntaxErrorException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.decibel.stack.EmbeddedBroker;
import io.decibel.stack.EmbeddedDatabase;
import io.decibel.stack.FreePorts;
import io.decibel.stack.ServiceProcess;
import io.decibel.testsupport.TestInfrastructure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

import static io.decibel.e2e.ProjectFiles.projectHome;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The product's promise under faults, on the built service jars as processes: a device publishes N readings as fast
 * as it can; when about a third are stored, a fault hits (the relay is killed, the database or the broker stops) and
 * lasts a few seconds, then the service comes back. The device must end by itself (exit status 0) with every
 * reading acknowledged and none given up, and the table must hold each reading once.
 * <p>
 * Each test prints its figures in one line, {@code FAULT <name>: N=… rows=… duplicates=… acked=… resent=… givenUp=…
 * elapsed=…}. N is 7,000 per test unless the system property {@code decibel.faults.readings} or the environment
 * variable {@code DECIBEL_FAULT_READINGS} says otherwise; a longer run also needs
 * {@code -Djunit.jupiter.execution.timeout.mode=disabled} (docs/reliability.md).
 */
@Tag("faults")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
// alone: it stops the database server the other tests share, and FaultUnderLoadTests runs beside other classes
@Isolated
class FaultToleranceTests {

	static final int READINGS = readings();

	static final Duration STARTUP = Duration.ofSeconds(90);

	/** How long a fault lasts: long enough for readings to pile up and ACKs to become overdue. */
	static final Duration OUTAGE = Duration.ofSeconds(4);

	static final Pattern SUBSCRIBED = Pattern.compile("Connected and subscribed to");

	static final Pattern SUBSCRIBE_FAILED = Pattern.compile("Error subscribing to");

	/** The publisher's last line: {@code Summary: 7000 sent, 7000 ACKed (…), 33 re-sent, 0 pending, 0 given up; …}. */
	static final Pattern SUMMARY = Pattern
		.compile("Summary: (\\d+) sent, (\\d+) ACKed \\([^)]*\\), (\\d+) re-sent, (\\d+) pending, (\\d+) given up");

	final List<ServiceProcess> processes = new ArrayList<>();

	final String topicRoot = TestInfrastructure.uniqueName("faults");

	final String jdbcUrl = TestInfrastructure.jdbcUrl(TestInfrastructure.uniqueName("faults"));

	final String relayClientId = TestInfrastructure.uniqueName("relay");

	@TempDir
	Path publisherState;

	@AfterEach
	void stopServices() {
		ServiceProcess.stopInReverse(this.processes);
	}

	@Test
	void relayKilledMidStreamAndRestartedStoresEveryReadingOnce() throws Exception {
		// given
		String mqttUrl = TestInfrastructure.mqttUrl();
		ServiceProcess relay = startRelay(mqttUrl);
		Run run = startPublisher(mqttUrl, "fault-relay-kill");
		awaitAThirdStored(run);

		// when: the relay dies without a word, and a new one takes over its persistent session
		relay.kill();
		outage();
		startRelay(mqttUrl);

		// then
		assertEveryReadingStoredOnceAndAcknowledged(run, "relay-kill");
	}

	@Test
	void databaseStoppedMidStreamAndStartedAgainStoresEveryReadingOnce() throws Exception {
		assumeFalse(TestInfrastructure.usesExternalDatabase(), "stops and starts the embedded database");
		// given
		String mqttUrl = TestInfrastructure.mqttUrl();
		EmbeddedDatabase database = TestInfrastructure.embeddedDatabase();
		startRelay(mqttUrl);
		Run run = startPublisher(mqttUrl, "fault-database-stop");
		awaitAThirdStored(run);

		// when
		try {
			database.stop();
			outage();
		}
		finally {
			database.start();
		}

		// then
		assertEveryReadingStoredOnceAndAcknowledged(run, "database-stop");
	}

	@Test
	void brokerStoppedMidStreamAndStartedAgainWithItsPersistenceStoresEveryReadingOnce(@TempDir Path brokerHome)
			throws Exception {
		// given: a broker of this test's own that keeps sessions and queued messages on disk (the shared one keeps
		// them in memory, and it runs in this JVM)
		EmbeddedBroker broker = EmbeddedBroker.start(FreePorts.any(), brokerHome);
		try {
			ServiceProcess relay = startRelay(broker.url());
			Run run = startPublisher(broker.url(), "fault-broker-stop");
			awaitAThirdStored(run);

			// when
			broker.stop();
			outage();
			broker.start();

			// then
			assertEveryReadingStoredOnceAndAcknowledged(run, "broker-stop");
			// and neither resumed its subscriptions by a time-out: the readings queued for the relay's session used
			// to block the SUBACK behind them for 30 s (see SessionResumingClientManager)
			assertThat(relay.countLines(SUBSCRIBE_FAILED)).as("relay's failed subscriptions").isZero();
			assertThat(run.publisher().countLines(SUBSCRIBE_FAILED)).as("publisher's failed subscriptions").isZero();
		}
		finally {
			stopServices();
			this.processes.clear();
			broker.stop();
		}
	}

	private void awaitAThirdStored(Run run) {
		await().atMost(STARTUP)
			.pollInterval(Duration.ofMillis(50))
			.until(() -> rows(run.deviceId()).rows() >= READINGS / 3);
	}

	private void assertEveryReadingStoredOnceAndAcknowledged(Run run, String fault) throws Exception {
		int exitCode = run.publisher().awaitExit(Duration.ofMinutes(2).plusMillis(10L * READINGS));
		double elapsed = (System.nanoTime() - run.startedNanos()) / 1e9;
		Rows rows = rows(run.deviceId());
		Matcher summary = SUMMARY.matcher(run.publisher().awaitLine(SUMMARY, Duration.ofSeconds(5)));
		assertThat(summary.find()).isTrue();
		long acked = Long.parseLong(summary.group(2));
		long resent = Long.parseLong(summary.group(3));
		long givenUp = Long.parseLong(summary.group(5));
		System.out.println(String.format(Locale.ROOT,
				"FAULT %s: N=%d rows=%d duplicates=%d acked=%d resent=%d givenUp=%d elapsed=%.1fs", fault, READINGS,
				rows.rows(), rows.rows() - rows.distinctSeqs(), acked, resent, givenUp, elapsed));
		assertThat(exitCode).as("publisher's exit code").isZero();
		assertThat(rows.rows()).as("rows").isEqualTo(READINGS);
		assertThat(rows.rows() - rows.distinctSeqs()).as("duplicate rows").isZero();
		assertThat(acked).as("readings acknowledged to the device").isEqualTo(READINGS);
		assertThat(givenUp).as("readings given up").isZero();
		assertThat(run.publisher().countLines(Pattern.compile("All " + READINGS + " readings acknowledged"))).isOne();
	}

	private ServiceProcess startRelay(String mqttUrl) {
		Map<String, String> env = new HashMap<>();
		env.put("SPRING_DATASOURCE_URL", this.jdbcUrl);
		env.put("SPRING_DATASOURCE_USERNAME", TestInfrastructure.dbUsername());
		env.put("SPRING_DATASOURCE_PASSWORD", TestInfrastructure.dbPassword());
		// the same client id across restarts: the broker keeps the relay's session and queues readings for it
		env.put("DECIBEL_MQTT_CLIENT_ID", this.relayClientId);
		env.put("DECIBEL_RELAY_RETRY_BACKOFF", "1s");
		// one line per reading is too many here: the figures come from the table and the device's summary
		env.put("LOGGING_LEVEL_IO_DECIBEL_RELAY_ACKS", "WARN");
		ServiceProcess relay = start("relay-service", mqttUrl, env);
		relay.awaitLine(Pattern.compile("Started RelayApplication"), STARTUP);
		relay.awaitLine(SUBSCRIBED, STARTUP);
		return relay;
	}

	private Run startPublisher(String mqttUrl, String deviceId) {
		Map<String, String> env = new HashMap<>();
		env.put("DECIBEL_PUBLISHER_COUNT", String.valueOf(READINGS));
		env.put("DECIBEL_PUBLISHER_DEVICE_ID", deviceId);
		env.put("DECIBEL_PUBLISHER_SOURCE", "synthetic");
		env.put("DECIBEL_PUBLISHER_WINDOW", "1ms");
		env.put("DECIBEL_PUBLISHER_ACK_TIMEOUT", "2s");
		env.put("DECIBEL_PUBLISHER_STATE_DIR", this.publisherState.toString());
		env.put("LOGGING_LEVEL_IO_DECIBEL_PUBLISHER_PUBLISHING", "WARN");
		env.put("LOGGING_LEVEL_IO_DECIBEL_PUBLISHER_ACKS_ACKCORRELATOR", "WARN");
		long started = System.nanoTime();
		ServiceProcess publisher = start("publisher-service", mqttUrl, env);
		return new Run(publisher, deviceId, started);
	}

	private ServiceProcess start(String service, String mqttUrl, Map<String, String> environment) {
		Map<String, String> env = new HashMap<>(environment);
		env.put("DECIBEL_MQTT_URL", mqttUrl);
		env.put("DECIBEL_MQTT_TOPIC_ROOT", this.topicRoot);
		env.put("SERVER_PORT", String.valueOf(FreePorts.any()));
		ServiceProcess process = ServiceProcess.start(service, ServiceProcess.jar(projectHome(), service), env,
				List.of());
		this.processes.add(process);
		return process;
	}

	private Rows rows(String deviceId) throws Exception {
		try (Connection connection = DriverManager.getConnection(this.jdbcUrl, TestInfrastructure.dbUsername(),
				TestInfrastructure.dbPassword());
				PreparedStatement statement = connection
					.prepareStatement("select count(*), count(distinct seq) from readings where device_id = ?")) {
			statement.setString(1, deviceId);
			try (ResultSet result = statement.executeQuery()) {
				result.next();
				return new Rows(result.getLong(1), result.getLong(2));
			}
		}
		catch (SQLSyntaxErrorException ex) {
			// no table yet (the relay's migration makes it): no rows yet
			return new Rows(0, 0);
		}
	}

	/** The fault lasts: this is the scenario, not a wait for a condition. */
	private static void outage() throws InterruptedException {
		Thread.sleep(OUTAGE.toMillis());
	}

	private static int readings() {
		String value = System.getProperty("decibel.faults.readings", System.getenv("DECIBEL_FAULT_READINGS"));
		return (value == null || value.isBlank()) ? 7_000 : Integer.parseInt(value.trim());
	}

	record Run(ServiceProcess publisher, String deviceId, long startedNanos) {
	}

	record Rows(long rows, long distinctSeqs) {
	}

}
