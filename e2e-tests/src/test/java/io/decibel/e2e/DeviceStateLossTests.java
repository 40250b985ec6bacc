package io.decibel.e2e;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import io.decibel.contract.Reading;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.stack.FreePorts;
import io.decibel.stack.ServiceProcess;
import io.decibel.testsupport.TestInfrastructure;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.decibel.e2e.ProjectFiles.projectHome;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A device that lost its state numbers from 0 again, on the service jars: the relay answers its first seqs
 * {@code CONFLICT} with the device's highest stored seq — which, when its new readings arrive in one batch, is one of
 * those new readings, stored in that batch. The device numbers again only what the relay answered {@code CONFLICT}:
 * numbered again, a reading the relay had stored would be stored twice.
 * <p>
 * Copies sent under a seq before the device lost its state may still wait in the broker (contract v1.2): an answer to
 * one of them settles none of the device's new readings under that seq, and a {@code CONFLICT} it draws numbers a
 * pending reading again only when another reading holds the seq — when the holder is that very reading, stored before
 * and its answer lost, it is settled as stored.
 */
class DeviceStateLossTests {

	static final Duration STARTUP = Duration.ofMinutes(5);

	static final String DEVICE = "forgetful";

	final List<ServiceProcess> processes = new ArrayList<>();

	final String topicRoot = TestInfrastructure.uniqueName("forgetful");

	final String jdbcUrl = TestInfrastructure.jdbcUrl(TestInfrastructure.uniqueName("forgetful"));

	// one relay session, resumed by each relay the test starts: readings wait in the broker while none runs
	final String relayClientId = TestInfrastructure.uniqueName("relay");

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
		ServiceProcess relay = start("relay-service", Map.of("SPRING_DATASOURCE_URL", this.jdbcUrl,
				"SPRING_DATASOURCE_USERNAME", TestInfrastructure.dbUsername(), "SPRING_DATASOURCE_PASSWORD",
				TestInfrastructure.dbPassword(), "DECIBEL_MQTT_CLIENT_ID", this.relayClientId,
				"DECIBEL_RELAY_BATCH_WINDOW", "2s"), this.topicRoot);
		relay.awaitLine(Pattern.compile("Connected and subscribed to"), STARTUP);
		assertThat(publisher(this.topicRoot, this.firstLife, 3).awaitExit(STARTUP)).isZero();

		// when: it comes back with an empty state folder and sends ten readings at once
		ServiceProcess secondRun = publisher(this.topicRoot, this.secondLife, 10);

		// then: every reading acknowledged, and stored once — three from its first life, ten from its second
		assertThat(secondRun.awaitExit(STARTUP)).isZero();
		assertThat(secondRun.countLines(Pattern.compile("status=CONFLICT"))).isPositive();
		assertThat(rows()).as("rows, distinct readings").containsExactly(13L, 13L);
	}

	@Test
	void answersToTheOldCopiesOfADeviceThatLostItsStateSettleNoneOfItsNewReadings() throws Exception {
		// given: no relay runs while the device publishes three readings, then loses its state
		relaySessionWithoutARelay();
		ServiceProcess firstRun = publisher(this.topicRoot, this.firstLife, 3);
		firstRun.awaitLine(Pattern.compile("Published seq=2 "), STARTUP);
		firstRun.stop();

		// when: it comes back with an empty state folder and numbers ten new readings from 0, queued behind its old
		// copies; then a relay comes back: it stores the old copies first and answers them, then the new readings
		ServiceProcess secondRun = publisher(this.topicRoot, this.secondLife, 10);
		secondRun.awaitLine(Pattern.compile("Published seq=9 "), STARTUP);
		startRelay();

		// then: the answers to the old copies settled none of the new readings under their seqs; those answered
		// CONFLICT went out again under new seqs: three readings from its first life, ten from its second, each once
		assertThat(secondRun.awaitExit(STARTUP)).isZero();
		assertThat(rows()).as("rows, distinct readings").containsExactly(13L, 13L);
		assertThat(secondRun.countLines(Pattern.compile("status=CONFLICT: the relay holds another reading")))
			.isEqualTo(3);
	}

	@Test
	void aDeviceWhoseReadingHoldsItsSeqSettlesItWhenAnOldCopyUnderTheSeqIsAnsweredConflict() throws Exception {
		// given: ten readings of the device stored while it was away, their STORED answers lost
		relaySessionWithoutARelay();
		ServiceProcess device = publisher(this.topicRoot, this.secondLife, 10);
		device.awaitLine(Pattern.compile("Published seq=9 "), STARTUP);
		device.stop();
		ServiceProcess relay = startRelay();
		await().atMost(STARTUP).until(() -> rows()[0] == 10);
		relay.stop();
		// and, waiting in the broker ahead of what comes next, old copies under seqs 0 to 2: other readings, as the
		// device sent them before it lost its state (a v1 device: the seq alone as Correlation Data)
		publishOldCopies(0, 1, 2);

		// when: the device comes back and sends its ten readings again, and one new reading; then a relay comes back:
		// it answers the old copies CONFLICT, each naming the device's reading that holds the seq
		ServiceProcess back = publisher(this.topicRoot, this.secondLife, 1);
		back.awaitLine(Pattern.compile("Published seq=10 "), STARTUP);
		startRelay();

		// then: the device settled its readings as stored instead of numbering them again: each stored once
		assertThat(back.awaitExit(STARTUP)).isZero();
		assertThat(rows()).as("rows, distinct readings").containsExactly(11L, 11L);
		assertThat(back.countLines(Pattern.compile("status=CONFLICT .*: the relay holds this very reading")))
			.isEqualTo(3);
	}

	/** The device's rows in the table, and how many distinct readings they hold. */
	private long[] rows() throws Exception {
		try (Connection connection = DriverManager.getConnection(this.jdbcUrl, TestInfrastructure.dbUsername(),
				TestInfrastructure.dbPassword()); Statement statement = connection.createStatement()) {
			ResultSet rows = statement.executeQuery("select count(*), count(distinct sampled_at, rms)"
					+ " from readings where device_id = '" + DEVICE + "'");
			rows.next();
			return new long[] { rows.getLong(1), rows.getLong(2) };
		}
	}

	/** Readings of the device under the given seqs, a day older than its own, published by a raw MQTT client. */
	private void publishOldCopies(long... seqs) throws Exception {
		Topics topics = new Topics(this.topicRoot);
		TelemetryCodec codec = new TelemetryCodec();
		MqttClient client = new MqttClient(TestInfrastructure.mqttUrl(), TestInfrastructure.uniqueName("old-copies"),
				new MemoryPersistence());
		client.connect();
		try {
			for (long seq : seqs) {
				Reading old = new Reading(DEVICE, seq, Instant.now().minus(Duration.ofDays(1)).plusMillis(seq), 1,
						100.25, 20 * Math.log10(100.25 / Reading.FULL_SCALE), 300, "synthetic");
				MqttMessage message = new MqttMessage(codec.encode(old));
				message.setQos(1);
				MqttProperties properties = new MqttProperties();
				properties.setResponseTopic(topics.acks(DEVICE));
				properties.setCorrelationData(Long.toString(seq).getBytes(StandardCharsets.UTF_8));
				message.setProperties(properties);
				client.publish(topics.readings(DEVICE), message);
			}
		}
		finally {
			client.disconnect();
			client.close();
		}
	}

	/**
	 * The relay's persistent session as a relay opens it — its client id, its shared subscription, kept a day — left
	 * without a relay: readings wait in it for the relay the test starts later, as they do while a relay is away.
	 */
	private void relaySessionWithoutARelay() throws Exception {
		MqttClient client = new MqttClient(TestInfrastructure.mqttUrl(), this.relayClientId, new MemoryPersistence());
		MqttConnectionOptions options = new MqttConnectionOptions();
		options.setCleanStart(false);
		options.setSessionExpiryInterval(Duration.ofDays(1).toSeconds());
		client.connect(options);
		try {
			client.subscribe(new Topics(this.topicRoot).sharedReadings("relay"), 1);
		}
		finally {
			client.disconnect();
			client.close();
		}
	}

	/** A relay on the test's database and relay session; up once it has subscribed. */
	private ServiceProcess startRelay() throws Exception {
		ServiceProcess relay = start("relay-service", Map.of("SPRING_DATASOURCE_URL", this.jdbcUrl,
				"SPRING_DATASOURCE_USERNAME", TestInfrastructure.dbUsername(), "SPRING_DATASOURCE_PASSWORD",
				TestInfrastructure.dbPassword(), "DECIBEL_MQTT_CLIENT_ID", this.relayClientId), this.topicRoot);
		relay.awaitLine(Pattern.compile("Connected and subscribed to"), STARTUP);
		return relay;
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
