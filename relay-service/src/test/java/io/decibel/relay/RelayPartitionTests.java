package io.decibel.relay;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import io.decibel.contract.AckStatus;
import io.decibel.contract.Topics;
import io.decibel.mqtt.ConnectionEpoch;
import io.decibel.testsupport.NamespacedMosquitto;
import io.decibel.testsupport.TestInfrastructure;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * The network between the relay and its broker partitioned for {@value #PARTITION_SECONDS} s — every packet dropped,
 * both ways, no RST: neither side hears anything — under {@value #RATE} readings/s from devices whose own path to the
 * broker stays up: half re-send what is not answered ({@link PacedDevices#resending}), half publish each reading once
 * and stay connected ({@link PacedDevices#once}). The relay, on its default settings and left alone, finds its
 * connection dead (keep-alive), reconnects once the path is back and resumes its session; every reading is stored
 * once, and every reading is answered, {@code STORED} or {@code DUPLICATE}, never {@code STORED} twice. A reading may
 * be answered twice: its {@code STORED} reply reached the broker but its PUBACK did not, so the broker sent it again
 * and it was answered {@code DUPLICATE} (the figures count them).
 * <p>
 * The broker is the machine's Mosquitto in a network namespace of its own ({@link NamespacedMosquitto}), with the
 * shipped configuration's queue and in-flight limits ({@code compose/mosquitto/mosquitto.conf}: the relay's session
 * queue holds the whole partition's readings) and no persistence (it never restarts here). Needs root, {@code ip},
 * {@code iptables} and {@code mosquitto}; skipped where any is missing. Prints
 * {@code PARTITION relay-broker: N=… rows=… duplicates=… answered=… answeredAgain=… resent=… …}.
 */
@Tag("faults")
@SpringBootTest
@DirtiesContext
class RelayPartitionTests {

	static final int PARTITION_SECONDS = 60;

	static final int DEVICES_PER_KIND = 10;

	static final int READINGS_PER_SECOND_PER_DEVICE = 10;

	static final int RATE = 2 * DEVICES_PER_KIND * READINGS_PER_SECOND_PER_DEVICE;

	static final Duration LOAD_BEFORE = Duration.ofSeconds(10);

	static final Duration LOAD_AFTER = Duration.ofSeconds(10);

	static final Duration ACK_TIMEOUT = Duration.ofSeconds(5);

	static final String BROKER_CONFIG = """
			persistence false
			max_queued_messages 300000
			max_queued_bytes 102400000
			max_inflight_messages 1000
			set_tcp_nodelay true
			sys_interval 10
			""";

	static final String ROOT = TestInfrastructure.uniqueName("partition");

	static final Topics TOPICS = new Topics(ROOT);

	static NamespacedMosquitto broker;

	@Autowired
	ConnectionEpoch connection;

	@Autowired
	@Qualifier("mqttHealthIndicator")
	HealthIndicator mqtt;

	@Autowired
	JdbcTemplate jdbc;

	@BeforeAll
	static void startBroker() throws Exception {
		assumeThat(NamespacedMosquitto.unavailable()).as("a broker in a network namespace can run here").isNull();
		broker = NamespacedMosquitto.start(Files.createTempDirectory("decibel-partition-mosquitto-"), BROKER_CONFIG);
	}

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		RelayTestProperties.register(registry, () -> broker.relayUrl(), ROOT, TestInfrastructure.uniqueName("relay"));
	}

	@AfterAll
	static void stopBroker() {
		if (broker != null) {
			broker.close();
		}
	}

	@Test
	void storesAndAnswersEveryReadingThroughAPartitionBetweenRelayAndBrokerAndReconnectsByItself() throws Exception {
		// given
		await().atMost(Duration.ofSeconds(30)).until(() -> Status.UP.equals(this.mqtt.health().getStatus()));
		long connectionsBefore = this.connection.connections();
		long started = System.nanoTime();
		try (PacedDevices resending = PacedDevices.resending(broker.devicesUrl(), TOPICS, "resending",
				DEVICES_PER_KIND, READINGS_PER_SECOND_PER_DEVICE, ACK_TIMEOUT);
				PacedDevices once = PacedDevices.once(broker.devicesUrl(), TOPICS, "once", DEVICES_PER_KIND,
						READINGS_PER_SECOND_PER_DEVICE)) {
			resending.start();
			once.start();
			lasts(LOAD_BEFORE);

			// when
			broker.partitionRelay();
			lasts(Duration.ofSeconds(PARTITION_SECONDS));
			broker.healRelay();
			long healed = System.nanoTime();
			lasts(LOAD_AFTER);
			resending.stop();
			once.stop();

			// then
			boolean answered = awaitQuietly(Duration.ofMinutes(4), () -> resending.figures().answered
					+ once.figures().answered == resending.figures().numbered + once.figures().numbered);
			double elapsed = (System.nanoTime() - started) / 1e9;
			PacedDevices.Figures again = resending.figures();
			PacedDevices.Figures onceFigures = once.figures();
			Rows rows = rows();
			long numbered = again.numbered + onceFigures.numbered;
			long lastBeforeHeal = Math.max(resending.lastAnswerOfReadingsNumberedBefore(healed),
					once.lastAnswerOfReadingsNumberedBefore(healed));
			System.out.println(String.format(Locale.ROOT,
					"PARTITION relay-broker: N=%d rows=%d duplicates=%d answered=%d answeredAgain=%d storedTwice=%d"
							+ " stored=%d duplicate=%d resent=%d elapsed=%.1fs devices=%d rate=%d/s partition=%ds"
							+ " relayConnections=%d devicesDisconnected=%d recovery=%s",
					numbered, rows.total, rows.total - rows.distinct, again.answered + onceFigures.answered,
					again.answeredAgain + onceFigures.answeredAgain, again.storedTwice + onceFigures.storedTwice,
					again.answers(AckStatus.STORED) + onceFigures.answers(AckStatus.STORED),
					again.answers(AckStatus.DUPLICATE) + onceFigures.answers(AckStatus.DUPLICATE), again.resent,
					elapsed, resending.size() + once.size(), RATE, PARTITION_SECONDS,
					this.connection.connections() - connectionsBefore + 1,
					again.connectionsLost + onceFigures.connectionsLost,
					(lastBeforeHeal == Long.MAX_VALUE) ? "never"
							: String.format(Locale.ROOT, "%.1fs", Math.max(0, lastBeforeHeal - healed) / 1e9)));

			assertThat(answered).as("every reading answered; unanswered, e.g.: %s, %s", resending.unanswered(10),
					once.unanswered(10)).isTrue();
			assertThat(this.connection.connections()).as("the relay's connections: it reconnected by itself")
				.isGreaterThan(connectionsBefore);
			for (PacedDevices devices : List.of(resending, once)) {
				PacedDevices.Figures figures = devices.figures();
				assertThat(figures.answered).as("readings answered").isEqualTo(figures.numbered);
				assertThat(figures.answers.keySet()).as("answers").doesNotContain(AckStatus.REJECTED, AckStatus.CONFLICT);
				assertThat(figures.storedTwice).as("readings answered STORED twice").isZero();
				assertThat(figures.connectionsLost).as("device connections lost").isZero();
				for (String device : devices.deviceIds()) {
					assertThat(rows.of(device)).as("rows of %s", device)
						.isEqualTo(new DeviceRows(devices.numbered(device), devices.numbered(device), 0,
								devices.numbered(device) - 1));
				}
			}
			assertThat(onceFigures.resent).as("readings the once-only devices sent again").isZero();
			assertThat(rows.total).as("rows").isEqualTo(numbered);
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> Status.UP.equals(this.mqtt.health().getStatus()));
	}

	private Rows rows() {
		List<Map<String, Object>> result = this.jdbc.queryForList(
				"select device_id, count(*) as n, count(distinct seq) as d, min(seq) as lo, max(seq) as hi"
						+ " from readings group by device_id");
		Rows rows = new Rows(new ArrayList<>());
		for (Map<String, Object> row : result) {
			DeviceRows each = new DeviceRows(((Number) row.get("n")).longValue(), ((Number) row.get("d")).longValue(),
					((Number) row.get("lo")).longValue(), ((Number) row.get("hi")).longValue());
			rows.devices.add(Map.entry((String) row.get("device_id"), each));
			rows.total += each.rows();
			rows.distinct += each.distinctSeqs();
		}
		return rows;
	}

	private static void lasts(Duration duration) throws InterruptedException {
		Thread.sleep(duration.toMillis());
	}

	private static boolean awaitQuietly(Duration timeout, Callable<Boolean> condition) {
		try {
			await().atMost(timeout).pollInterval(Duration.ofMillis(500)).until(condition);
			return true;
		}
		catch (ConditionTimeoutException ex) {
			return false;
		}
	}

	/** A device's rows: how many, how many distinct seqs, the lowest and the highest. */
	record DeviceRows(long rows, long distinctSeqs, long lowest, long highest) {
	}

	static final class Rows {

		final List<Map.Entry<String, DeviceRows>> devices;

		long total;

		long distinct;

		Rows(List<Map.Entry<String, DeviceRows>> devices) {
			this.devices = devices;
		}

		DeviceRows of(String deviceId) {
			return this.devices.stream()
				.filter((entry) -> entry.getKey().equals(deviceId))
				.map(Map.Entry::getValue)
				.findFirst()
				.orElse(new DeviceRows(0, 0, -1, -1));
		}

	}

}
