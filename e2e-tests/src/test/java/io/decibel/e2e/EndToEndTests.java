package io.decibel.e2e;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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

import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

import io.decibel.stack.FreePorts;
import io.decibel.stack.ServiceProcess;
import io.decibel.testsupport.TestInfrastructure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.chrome.ChromeDriver;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static io.decibel.e2e.ProjectFiles.projectHome;
import static io.decibel.e2e.ProjectFiles.seqs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

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

	/**
	 * A device whose noise source is a WAV file of known content — a 1 kHz tone at a tenth of full scale, at 48 kHz —
	 * and a calibration offset of 100 dB: each reading's LAeq is predictable, {@code 20·log10(0.1/√2) + 100 = 77.0}
	 * dB(A) (A-weighting is 0 dB at 1 kHz), and so are its Fast levels, the tone being steady. Stored as predicted,
	 * served so by the API, printed so by a subscriber, shown so on the relay's page in a real browser (where one is
	 * installed, as on CI).
	 */
	@Test
	void aWavFileOfKnownContentIsStoredWithTheLevelsASoundLevelMeterPredicts() throws Exception {
		// given
		Path wav = this.publisherState.resolve("tone-1khz.wav");
		writeTone(wav, 1000, 0.1, 48_000, 3);
		double predicted = 20 * Math.log10(0.1 / Math.sqrt(2)) + 100;
		String topicRoot = TestInfrastructure.uniqueName("e2e");
		String jdbcUrl = TestInfrastructure.jdbcUrl(TestInfrastructure.uniqueName("e2e"));
		int relayPort = FreePorts.any();
		ServiceProcess relay = start("relay-service", Map.of("SPRING_DATASOURCE_URL", jdbcUrl,
				"SPRING_DATASOURCE_USERNAME", TestInfrastructure.dbUsername(), "SPRING_DATASOURCE_PASSWORD",
				TestInfrastructure.dbPassword(), "DECIBEL_MQTT_CLIENT_ID", TestInfrastructure.uniqueName("relay"),
				"SERVER_PORT", String.valueOf(relayPort)), topicRoot);
		ServiceProcess subscriber = start("subscriber-service", Map.of(), topicRoot);
		relay.awaitLine(SUBSCRIBED, STARTUP);
		subscriber.awaitLine(SUBSCRIBED, STARTUP);

		// when
		ServiceProcess publisher = start("publisher-service",
				Map.of("DECIBEL_PUBLISHER_COUNT", "5", "DECIBEL_PUBLISHER_DEVICE_ID", "wav-device",
						"DECIBEL_PUBLISHER_SOURCE", "wav:" + wav, "DECIBEL_PUBLISHER_WINDOW", "500ms",
						"DECIBEL_PUBLISHER_CALIBRATION_OFFSET", "100",
						"DECIBEL_PUBLISHER_STATE_DIR", this.publisherState.toString()),
				topicRoot);

		// then: every reading stored with the predicted levels
		assertThat(publisher.awaitExit(STARTUP)).isZero();
		try (Connection connection = DriverManager.getConnection(jdbcUrl, TestInfrastructure.dbUsername(),
				TestInfrastructure.dbPassword()); Statement statement = connection.createStatement()) {
			ResultSet rows = statement.executeQuery("select seq, laeq, lafmax, lafmin, laf10, laf50, laf90, calibrated"
					+ " from readings where device_id = 'wav-device' order by seq");
			int count = 0;
			while (rows.next()) {
				count++;
				for (int column = 2; column <= 7; column++) {
					assertThat(rows.getDouble(column)).as("seq %d, column %d", rows.getLong(1), column)
						.isCloseTo(predicted, within(0.1));
				}
				assertThat(rows.getBoolean(8)).isTrue();
			}
			assertThat(count).isEqualTo(5);
		}
		JsonNode newest = JsonMapper.builder().build().readTree(HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + relayPort + "/api/readings?device=wav-device"))
				.build(), HttpResponse.BodyHandlers.ofString())
			.body()).path("items").get(0);
		assertThat(newest.path("laeq").asDouble()).isCloseTo(predicted, within(0.1));
		assertThat(newest.path("calibrated").asBoolean()).isTrue();
		assertThat(subscriber.countLines(Pattern.compile(
				"Reading device=wav-device seq=\\d+ level=-23\\.0 dBFS sampled=\\S+ LAeq 77\\.0 dB\\(A\\) LAFmax 77\\.0 LAF90 77\\.0")))
			.isEqualTo(5);
		if (!Browser.installed()) {
			System.out.println("No browser (" + Browser.CHROMIUM + "): the relay's page not looked at");
			return;
		}
		ChromeDriver browser = Browser.open(this.publisherState.resolve("browser"));
		try {
			browser.get("http://127.0.0.1:" + relayPort + "/");
			// the page draws the device once its first fetch and live feed have answered
			await().atMost(Duration.ofSeconds(30))
				.ignoreException(NoSuchElementException.class)
				.untilAsserted(() -> assertThat(
						browser.findElement(By.cssSelector("#levels [data-latest='wav-device']")).getText())
					.contains("77.0 dB(A)", "LAFmax 77.0", "LAF90 77.0"));
			assertThat(browser.findElement(By.cssSelector("#chart polygon[data-band='wav-device']"))
				.getAttribute("data-points")).isEqualTo("5");
		}
		finally {
			browser.quit();
		}
	}

	/** A tone of whole cycles, so that the file loops without a click: 16-bit mono PCM. */
	private static void writeTone(Path file, double frequency, double amplitude, int rate, int seconds)
			throws Exception {
		int samples = rate * seconds;
		ByteBuffer pcm = ByteBuffer.allocate(samples * 2).order(ByteOrder.LITTLE_ENDIAN);
		for (int i = 0; i < samples; i++) {
			pcm.putShort((short) Math.round(amplitude * 32768 * Math.sin(2 * Math.PI * frequency * i / rate)));
		}
		AudioFormat format = new AudioFormat(rate, 16, 1, true, false);
		try (AudioInputStream stream = new AudioInputStream(new ByteArrayInputStream(pcm.array()), format, samples)) {
			AudioSystem.write(stream, AudioFileFormat.Type.WAVE, file.toFile());
		}
	}

	private ServiceProcess start(String service, Map<String, String> environment, String topicRoot)
			throws Exception {
		Map<String, String> env = new HashMap<>(environment);
		env.put("DECIBEL_MQTT_URL", TestInfrastructure.mqttUrl());
		env.put("DECIBEL_MQTT_TOPIC_ROOT", topicRoot);
		env.putIfAbsent("SERVER_PORT", String.valueOf(FreePorts.any()));
		ServiceProcess process = ServiceProcess.start(service, ServiceProcess.jar(projectHome(), service), env,
				List.of());
		this.processes.add(process);
		return process;
	}

}
