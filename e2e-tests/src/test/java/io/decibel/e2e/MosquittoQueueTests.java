package io.decibel.e2e;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLSyntaxErrorException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.decibel.stack.FreePorts;
import io.decibel.stack.ServiceProcess;
import io.decibel.testsupport.TestInfrastructure;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static io.decibel.e2e.ProjectFiles.projectHome;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code compose/mosquitto/mosquitto.conf}, the Mosquitto configuration shipped for Decibel, run by this machine's
 * {@code mosquitto} with the relay jar: its queue holds what a fleet sends while no relay takes it, and what a broker
 * drops shows in the relay's gauge {@code decibel_broker_messages_dropped}. The devices publish each reading once
 * ({@link DeviceFleet#withoutResends}): a reading the broker drops is lost, and the tests see it.
 * <p>
 * The file is used as written, but for what a test next to others needs (in {@link #asForThisTest}): a free port, a
 * folder of its own, anonymous clients (no password file), and, as root, no switch to the user {@code mosquitto}. CI
 * installs Mosquitto; without a {@code mosquitto} binary the tests are skipped with a message.
 */
@Tag("faults")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class MosquittoQueueTests {

	static final int DEVICES = 20;

	static final int READINGS_PER_SECOND_PER_DEVICE = 10;

	static final Duration STARTUP = Duration.ofSeconds(180);

	static final Duration DRAIN = Duration.ofMinutes(3);

	static final Pattern SUBSCRIBED = Pattern.compile("Connected and subscribed to");

	static final Pattern DROPPING = Pattern.compile("Outgoing messages are being dropped");

	static final Pattern GAUGE = Pattern.compile("^decibel_broker_messages_dropped\\{[^}]*} (\\S+)$",
			Pattern.MULTILINE);

	final String topicRoot = TestInfrastructure.uniqueName("queue");

	final String schema = TestInfrastructure.uniqueName("queue");

	final String relayClientId = TestInfrastructure.uniqueName("relay");

	final List<ServiceProcess> processes = new ArrayList<>();

	final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@TempDir
	Path temp;

	Process mosquitto;

	DeviceFleet fleet;

	String mosquittoBinary;

	@BeforeEach
	void findMosquitto() {
		this.mosquittoBinary = Stream
			.concat(Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)),
					Stream.of("/usr/sbin", "/usr/local/sbin"))
			.map((dir) -> Path.of(dir, "mosquitto"))
			.filter(Files::isExecutable)
			.map(Path::toString)
			.findFirst()
			.orElse(null);
		assumeTrue(this.mosquittoBinary != null,
				"no mosquitto binary here: these tests run compose/mosquitto/mosquitto.conf with it (CI installs it)");
	}

	@AfterEach
	void stopEverything() throws Exception {
		if (this.fleet != null) {
			this.fleet.close();
		}
		ServiceProcess.stopInReverse(this.processes);
		if (this.mosquitto != null) {
			this.mosquitto.destroy();
			if (!this.mosquitto.waitFor(30, TimeUnit.SECONDS)) {
				this.mosquitto.destroyForcibly();
			}
		}
		try (Connection connection = connect(); Statement statement = connection.createStatement()) {
			statement.execute("drop database if exists `" + this.schema + "`");
		}
	}

	@Test
	void relayStoppedForThirtySecondsUnderLoadLosesNoReadingOfDevicesThatDoNotResend() throws Exception {
		// given: the shipped configuration, with its queue sized for a relay away for minutes
		String shipped = Files.readString(projectHome().resolve("compose/mosquitto/mosquitto.conf"));
		assertThat(settings(shipped)).containsEntry("persistence", "true")
			.containsEntry("set_tcp_nodelay", "true")
			.containsKeys("max_queued_messages", "max_queued_bytes", "max_inflight_messages");
		String url = startMosquitto(asForThisTest(shipped));
		Relay relay = startRelay(url);
		// 200 readings a second, each published once
		this.fleet = DeviceFleet.withoutResends(url, this.topicRoot, "dev", DEVICES, READINGS_PER_SECOND_PER_DEVICE);
		this.fleet.startSampling();
		lasts(Duration.ofSeconds(10));

		// when: the relay is stopped (as `docker compose stop` does) for 30 s while the devices go on: 6,000 readings
		// for its session, six times Mosquitto's default limit of 1,000 queued messages
		long stopped = System.nanoTime();
		relay.process().stop();
		lasts(Duration.ofSeconds(30).minusNanos(System.nanoTime() - stopped));
		long awayNumbered = this.fleet.figures().numbered;
		Relay again = startRelay(url);
		lasts(Duration.ofSeconds(5));
		this.fleet.stopSampling();

		// then: every reading answered and stored once; the broker dropped nothing, and the relay's gauge says so
		awaitAllAnswered(again);
		DeviceFleet.Figures figures = this.fleet.figures();
		Map<String, long[]> rows = rows();
		long stored = rows.values().stream().mapToLong((deviceRows) -> deviceRows[0]).sum();
		OptionalLong dropped = awaitDropGauge(again, (value) -> true);
		long[] size = tableSize();
		System.out.println(String.format(Locale.ROOT,
				"MOSQUITTO relay-away: N=%d rows=%d answered=%d numberedByItsReturn=%d devices=%d rate=%d/s away=30s"
						+ " dropped=%s; table: %d B data + %d B indexes a row",
				figures.numbered, stored, figures.answered, awayNumbered, this.fleet.size(), this.fleet.rate(),
				dropped.isPresent() ? dropped.getAsLong() : "none", size[0] / Math.max(1, stored),
				size[1] / Math.max(1, stored)));
		assertThat(figures.resent).as("re-sends").isZero();
		assertThat(figures.answered).as("readings answered").isEqualTo(figures.numbered);
		for (String device : this.fleet.deviceIds()) {
			long[] deviceRows = rows.getOrDefault(device, new long[] { 0, 0 });
			assertThat(deviceRows[0]).as("rows of " + device).isEqualTo(this.fleet.numbered(device));
			assertThat(deviceRows[1]).as("distinct seqs of " + device).isEqualTo(deviceRows[0]);
		}
		assertThat(brokerLog()).as("the broker's log").noneMatch((line) -> DROPPING.matcher(line).find());
		assertThat(dropped).as("the relay's gauge of the broker's drops").hasValue(0);
	}

	@Test
	void readingsTheBrokerDropsShowInTheRelaysGauge() throws Exception {
		// given: the shipped configuration with a queue of 100 messages and the $SYS counters every second
		String shipped = Files.readString(projectHome().resolve("compose/mosquitto/mosquitto.conf"));
		String tiny = replace(replace(asForThisTest(shipped), "max_queued_messages", "100"), "sys_interval", "1");
		String url = startMosquitto(tiny);
		Relay relay = startRelay(url);
		this.fleet = DeviceFleet.withoutResends(url, this.topicRoot, "dev", DEVICES, READINGS_PER_SECOND_PER_DEVICE);
		this.fleet.startSampling();
		lasts(Duration.ofSeconds(3));
		// (on a slow machine the relay may fall 100 behind even while it runs: the gauge may count drops already)
		assertThat(awaitDropGauge(relay, (value) -> true)).as("the relay's gauge of the broker's drops").isPresent();

		// when: the relay is away for 10 s (2,000 readings for its session)
		relay.process().stop();
		lasts(Duration.ofSeconds(10));
		Relay again = startRelay(url);
		lasts(Duration.ofSeconds(2));
		this.fleet.stopSampling();

		// then: the readings that never reached the table are the ones the gauge counts
		long numbered = this.fleet.figures().numbered;
		await().atMost(DRAIN).pollInterval(Duration.ofSeconds(1)).until(() -> {
			OptionalLong dropped = dropGauge(again);
			return dropped.isPresent() && storedRows() + dropped.getAsLong() == numbered;
		});
		long stored = storedRows();
		long dropped = dropGauge(again).orElseThrow();
		System.out.println(String.format(Locale.ROOT,
				"MOSQUITTO queue-of-100: N=%d rows=%d dropped=%d (gauge decibel_broker_messages_dropped)", numbered,
				stored, dropped));
		assertThat(dropped).as("dropped readings").isPositive().isEqualTo(numbered - stored);
		assertThat(brokerLog()).as("the broker's log").anyMatch((line) -> DROPPING.matcher(line).find());
	}

	/**
	 * The shipped file for a broker of this test's own: its port, its folder, anonymous clients (the test's devices
	 * and relay log in with no password; the file's accounts are the operator's), and no switch to the user
	 * {@code mosquitto} when run as root (it could not write this folder).
	 */
	private String asForThisTest(String shipped) {
		String conf = replace(shipped, "listener", FreePorts.any() + " 127.0.0.1");
		conf = replace(conf, "persistence_location", this.temp.resolve("mosquitto") + "/");
		conf = replace(conf, "allow_anonymous", "true");
		conf = conf.replaceAll("(?m)^(password_file|acl_file) .*$", "");
		if ("root".equals(System.getProperty("user.name"))) {
			conf = conf + "\nuser root\n";
		}
		return conf;
	}

	/** The file with one setting's value replaced; the setting must be there once. */
	private static String replace(String conf, String setting, String value) {
		Matcher line = Pattern.compile("(?m)^" + Pattern.quote(setting) + " .*$").matcher(conf);
		assertThat(line.results().count()).as(setting + " in the configuration").isOne();
		return line.reset().replaceFirst(Matcher.quoteReplacement(setting + " " + value));
	}

	private static Map<String, String> settings(String conf) {
		Map<String, String> settings = new HashMap<>();
		conf.lines()
			.map(String::strip)
			.filter((line) -> !line.isEmpty() && !line.startsWith("#"))
			.map((line) -> line.split("\\s+", 2))
			.forEach((words) -> settings.put(words[0], (words.length > 1) ? words[1] : ""));
		return settings;
	}

	private String startMosquitto(String conf) throws IOException {
		Path dir = Files.createDirectories(this.temp.resolve("mosquitto"));
		Path file = Files.writeString(dir.resolve("mosquitto.conf"), conf);
		int port = Integer.parseInt(settings(conf).get("listener").split(" ")[0]);
		this.mosquitto = new ProcessBuilder(this.mosquittoBinary, "-c", file.toString()).redirectErrorStream(true)
			.redirectOutput(dir.resolve("mosquitto.log").toFile())
			.start();
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
			assertThat(this.mosquitto.isAlive()).as("mosquitto running: " + brokerLog()).isTrue();
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
				return true;
			}
			catch (IOException ex) {
				return false;
			}
		});
		return "tcp://127.0.0.1:" + port;
	}

	private List<String> brokerLog() throws IOException {
		return Files.readAllLines(this.temp.resolve("mosquitto/mosquitto.log"));
	}

	/** A relay with the same client id each time: the broker keeps its session, and queues readings for it. */
	private Relay startRelay(String mqttUrl) {
		Map<String, String> env = new HashMap<>();
		env.put("DECIBEL_MQTT_URL", mqttUrl);
		env.put("DECIBEL_MQTT_TOPIC_ROOT", this.topicRoot);
		env.put("DECIBEL_MQTT_CLIENT_ID", this.relayClientId);
		env.put("SPRING_DATASOURCE_URL", TestInfrastructure.jdbcUrl(this.schema));
		env.put("SPRING_DATASOURCE_USERNAME", TestInfrastructure.dbUsername());
		env.put("SPRING_DATASOURCE_PASSWORD", TestInfrastructure.dbPassword());
		int port = FreePorts.any();
		env.put("SERVER_PORT", String.valueOf(port));
		// one line per reading is too many at this rate: the figures come from the table and the devices
		env.put("LOGGING_LEVEL_IO_DECIBEL_RELAY_ACKS", "WARN");
		// how the relay reads the broker's drop count, line by line
		env.put("LOGGING_LEVEL_IO_DECIBEL_RELAY_BROKER", "DEBUG");
		env.put("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1");
		ServiceProcess relay = ServiceProcess.start("relay-service", ServiceProcess.jar(projectHome(), "relay-service"),
				env, List.of());
		this.processes.add(relay);
		relay.awaitLine(Pattern.compile("Started RelayApplication"), STARTUP);
		relay.awaitLine(SUBSCRIBED, STARTUP);
		return new Relay(relay, port);
	}

	/**
	 * Every reading answered; if not, the failure says which of the unanswered are stored (their answer was lost) and
	 * what the relay counted of its flow control, so that one failed run tells where a reading went.
	 */
	private void awaitAllAnswered(Relay relay) throws SQLException {
		try {
			await().atMost(DRAIN)
				.pollInterval(Duration.ofMillis(500))
				.untilAsserted(() -> assertThat(this.fleet.unanswered(20)).as("unanswered readings, device:seq").isEmpty());
		}
		catch (ConditionTimeoutException ex) {
			List<String> unanswered = this.fleet.unanswered(Integer.MAX_VALUE);
			throw new AssertionError(String.format(Locale.ROOT,
					"%d readings unanswered (first: %s), of which stored: %s; the relay's counts: %s", unanswered.size(),
					unanswered.subList(0, Math.min(20, unanswered.size())), storedAmong(unanswered),
					flowControlCounts(relay)), ex);
		}
	}

	/** Which of the readings ({@code device:seq}) the table holds. */
	private List<String> storedAmong(List<String> readings) throws SQLException {
		Set<String> wanted = new HashSet<>(readings);
		List<String> stored = new ArrayList<>();
		try (Connection connection = connect();
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("select device_id, seq from readings")) {
			while (result.next()) {
				String reading = result.getString(1) + ":" + result.getLong(2);
				if (wanted.contains(reading)) {
					stored.add(reading);
				}
			}
		}
		return stored;
	}

	/** The relay's flow-control and reply series, as Prometheus scrapes them. */
	private String flowControlCounts(Relay relay) {
		return scrape(relay).map((body) -> body.lines()
			.filter((line) -> line.startsWith("decibel_relay_deliveries") || line.startsWith("decibel_relay_mqtt")
					|| line.startsWith("decibel_relay_acks") || line.startsWith("decibel_relay_replies")
					|| line.startsWith("decibel_broker"))
			.map((line) -> line.replaceAll("\\{[^}]*}", ""))
			.collect(Collectors.joining("; "))).orElse("(not scraped)");
	}

	private OptionalLong awaitDropGauge(Relay relay, LongPredicate condition) {
		return await().atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> dropGauge(relay), (value) -> value.isPresent() && condition.test(value.getAsLong()));
	}

	/** The relay's gauge of the broker's drops, as Prometheus scrapes it; empty while the relay has none. */
	private OptionalLong dropGauge(Relay relay) {
		Optional<Matcher> gauge = scrape(relay).map(GAUGE::matcher).filter(Matcher::find);
		return gauge.isPresent() ? OptionalLong.of((long) Double.parseDouble(gauge.get().group(1)))
				: OptionalLong.empty();
	}

	/** The relay's Prometheus page; empty when it does not answer. */
	private Optional<String> scrape(Relay relay) {
		try {
			return Optional.of(this.http
				.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + relay.port() + "/actuator/prometheus"))
					.timeout(Duration.ofSeconds(10))
					.build(), HttpResponse.BodyHandlers.ofString())
				.body());
		}
		catch (IOException ex) {
			return Optional.empty();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return Optional.empty();
		}
	}

	/** Rows and distinct seqs, by device. */
	private Map<String, long[]> rows() throws SQLException {
		Map<String, long[]> rows = new HashMap<>();
		try (Connection connection = connect();
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery(
						"select device_id, count(*), count(distinct seq) from readings group by device_id")) {
			while (result.next()) {
				rows.put(result.getString(1), new long[] { result.getLong(2), result.getLong(3) });
			}
		}
		catch (SQLSyntaxErrorException ex) {
			// no table yet
		}
		return rows;
	}

	/** The table's data and index bytes, as the server counts them after ANALYZE TABLE (docs/scaling.md). */
	private long[] tableSize() throws SQLException {
		try (Connection connection = connect(); Statement statement = connection.createStatement()) {
			statement.execute("analyze table readings");
			try (ResultSet result = statement.executeQuery("select data_length, index_length from"
					+ " information_schema.tables where table_schema = database() and table_name = 'readings'")) {
				result.next();
				return new long[] { result.getLong(1), result.getLong(2) };
			}
		}
	}

	private long storedRows() throws SQLException {
		return rows().values().stream().mapToLong((deviceRows) -> deviceRows[0]).sum();
	}

	private Connection connect() throws SQLException {
		return DriverManager.getConnection(TestInfrastructure.jdbcUrl(this.schema), TestInfrastructure.dbUsername(),
				TestInfrastructure.dbPassword());
	}

	record Relay(ServiceProcess process, int port) {
	}

	/** The load, or the relay's absence, lasts: this is the scenario, not a wait for a condition. */
	private static void lasts(Duration duration) throws InterruptedException {
		if (!duration.isNegative()) {
			Thread.sleep(duration.toMillis());
		}
	}

}
