package io.decibel.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.decibel.contract.AckStatus;
import io.decibel.stack.FreePorts;
import io.decibel.stack.ServiceProcess;
import io.decibel.testsupport.TestInfrastructure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static io.decibel.e2e.Timeline.awaitQuietly;
import static io.decibel.e2e.Timeline.lasts;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several relays in one share group under a fleet's load, while the fleet of relays changes: three relays, one killed
 * (SIGKILL) mid-stream and never restarted, a fourth started, one stopped in order (SIGTERM). Half the devices send
 * every reading again until it is answered ({@link DeviceFleet}); the other half send each reading once and never
 * again, so that what the broker held for a relay that is gone reaches the table only if a live relay takes it over
 * (the relays' session keeping, {@code io.decibel.relay.sessions}). Then: one row per reading, every reading
 * answered, no device's delivery report with a missing seq.
 * <p>
 * It prints one line, {@code FAULT fleet: N=… rows=… duplicates=… acked=… resent=… givenUp=0 elapsed=… devices=…
 * rate=… relays=… shares=… adopted=… recovery=…}: each relay's share is the readings it stored (its
 * {@code decibel_relay_readings_total{status="stored"}}, last seen), and recovery is, for each fault, the time until
 * the last reading a non-re-sending device numbered before it was answered.
 */
@Tag("faults")
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class FleetTests {

	/** 25 devices a fleet, 10 readings a second each: 500/s in all; {@code -Ddecibel.fleet.devices=…} to change. */
	static final int DEVICES_PER_FLEET = Integer.getInteger("decibel.fleet.devices", 25);

	static final int READINGS_PER_SECOND_PER_DEVICE = Integer.getInteger("decibel.fleet.rate", 10);

	static final Duration ACK_TIMEOUT = Duration.ofSeconds(5);

	/** Generous: two cores start a relay in about 20 s alone, and in minutes under the load of other tests. */
	static final Duration STARTUP = Duration.ofMinutes(4);

	static final Pattern SUBSCRIBED = Pattern.compile("Connected and subscribed to");

	static final Pattern ADOPTED = Pattern.compile("Adopted session (\\S+): (?:(\\d+) readings|ended|the broker)");

	final String topicRoot = TestInfrastructure.uniqueName("fleet");

	final String schema = TestInfrastructure.uniqueName("fleet");

	final Map<String, Relay> relays = new LinkedHashMap<>();

	final Map<String, Long> storedByRelay = new ConcurrentHashMap<>();

	final List<ServiceProcess> processes = new ArrayList<>();

	final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	final JsonMapper json = JsonMapper.builder().build();

	final ScheduledExecutorService scraper = Executors.newSingleThreadScheduledExecutor();

	DeviceFleet resending;

	DeviceFleet once;

	@AfterEach
	void stopEverything() {
		this.scraper.shutdownNow();
		for (DeviceFleet fleet : new DeviceFleet[] { this.resending, this.once }) {
			if (fleet != null) {
				fleet.close();
			}
		}
		ServiceProcess.stopInReverse(this.processes);
	}

	@Test
	void relaysKilledStartedAndStoppedUnderLoadLoseNothingEvenOfDevicesThatNeverResend() throws Exception {
		// given: three relays in the share group, 500 readings a second from two fleets
		String mqttUrl = TestInfrastructure.mqttUrl();
		String jdbcUrl = TestInfrastructure.jdbcUrl(this.schema);
		// the first one alone: it migrates the schema
		awaitSubscribed(launchRelay("r1", mqttUrl, jdbcUrl));
		List.of(launchRelay("r2", mqttUrl, jdbcUrl), launchRelay("r3", mqttUrl, jdbcUrl))
			.forEach(FleetTests::awaitSubscribed);
		this.scraper.scheduleWithFixedDelay(this::scrapeShares, 1, 5, TimeUnit.SECONDS);
		this.resending = new DeviceFleet(mqttUrl, this.topicRoot, "dev", DEVICES_PER_FLEET,
				READINGS_PER_SECOND_PER_DEVICE, ACK_TIMEOUT);
		this.once = DeviceFleet.withoutResends(mqttUrl, this.topicRoot, "once", DEVICES_PER_FLEET,
				READINGS_PER_SECOND_PER_DEVICE);
		long started = System.nanoTime();
		this.resending.startSampling();
		this.once.startSampling();
		lasts(Duration.ofSeconds(15));

		// when: r1 killed and never restarted; r4 started; r2 stopped in order
		long killed = System.nanoTime();
		this.relays.get("r1").process().kill();
		lasts(Duration.ofSeconds(10));
		awaitSubscribed(launchRelay("r4", mqttUrl, jdbcUrl));
		lasts(Duration.ofSeconds(5));
		scrapeShares();
		long stopped = System.nanoTime();
		this.relays.get("r2").process().stop();
		lasts(Duration.ofSeconds(15));
		this.resending.stopSampling();
		this.once.stopSampling();
		boolean answered = awaitQuietly(Duration.ofMinutes(2),
				() -> this.resending.allAnswered() && this.once.allAnswered());
		scrapeShares();

		// then
		double elapsed = (System.nanoTime() - started) / 1e9;
		DeviceFleet.Figures resent = this.resending.figures();
		DeviceFleet.Figures sentOnce = this.once.figures();
		long numbered = resent.numbered + sentOnce.numbered;
		long[] rows = rows(jdbcUrl);
		String shares = this.relays.keySet()
			.stream()
			.map((name) -> name + ":" + this.storedByRelay.getOrDefault(name, 0L))
			.collect(Collectors.joining(","));
		List<String> adoptions = new ArrayList<>();
		for (Map.Entry<String, Relay> relay : this.relays.entrySet()) {
			for (String line : relay.getValue().process().lines()) {
				Matcher matcher = ADOPTED.matcher(line);
				if (matcher.find()) {
					adoptions.add(relay.getKey() + "<" + name(matcher.group(1)) + ":"
							+ ((matcher.group(2) != null) ? matcher.group(2) : "0"));
				}
			}
		}
		System.out.println(String.format(Locale.ROOT,
				"FAULT fleet: N=%d rows=%d duplicates=%d acked=%d resent=%d givenUp=0 elapsed=%.1fs devices=%d"
						+ " rate=%d/s relays=%d shares=%s adopted=%s recovery=kill:%s,stop:%s",
				numbered, rows[0], rows[0] - rows[1], resent.answered + sentOnce.answered, resent.resent, elapsed,
				this.resending.size() + this.once.size(), this.resending.rate() + this.once.rate(), this.relays.size(),
				shares, adoptions.isEmpty() ? "none" : String.join(",", adoptions),
				answered ? seconds(this.once.drainedAfter(killed)) : "never",
				answered ? seconds(this.once.drainedAfter(stopped)) : "never"));

		assertThat(answered).as("every reading answered; unanswered, e.g.: " + this.once.unanswered(10) + " "
				+ this.resending.unanswered(10)).isTrue();
		assertThat(sentOnce.resent).as("re-sends of the devices that never re-send").isZero();
		assertThat(resent.answered + sentOnce.answered).as("readings answered").isEqualTo(numbered);
		assertThat(resent.status(AckStatus.REJECTED) + sentOnce.status(AckStatus.REJECTED)).isZero();
		assertThat(resent.status(AckStatus.CONFLICT) + sentOnce.status(AckStatus.CONFLICT)).isZero();
		assertThat(rows[0]).as("rows").isEqualTo(numbered);
		assertThat(rows[0] - rows[1]).as("duplicate rows").isZero();
		Relay survivor = this.relays.get("r3");
		for (DeviceFleet fleet : new DeviceFleet[] { this.resending, this.once }) {
			for (String device : fleet.deviceIds()) {
				JsonNode report = this.json.readTree(get(survivor, "/api/devices/" + device + "/delivery"));
				assertThat(report.get("missing").asLong()).as("missing seqs of " + device + ": " + report.get("gaps"))
					.isZero();
				assertThat(report.get("lastSeq").asLong()).as("last seq of " + device)
					.isEqualTo(fleet.numbered(device) - 1);
			}
		}
		assertThat(this.relays.get("r2").process().isAlive()).as("r2 stopped").isFalse();
	}

	private ServiceProcess launchRelay(String name, String mqttUrl, String jdbcUrl) {
		Map<String, String> env = new HashMap<>();
		env.put("DECIBEL_MQTT_URL", mqttUrl);
		env.put("DECIBEL_MQTT_TOPIC_ROOT", this.topicRoot);
		env.put("DECIBEL_MQTT_CLIENT_ID", this.topicRoot + "-relay-" + name);
		env.put("SPRING_DATASOURCE_URL", jdbcUrl);
		env.put("SPRING_DATASOURCE_USERNAME", TestInfrastructure.dbUsername());
		env.put("SPRING_DATASOURCE_PASSWORD", TestInfrastructure.dbPassword());
		env.put("DECIBEL_RELAY_RETRY_BACKOFF", "1s");
		env.put("DECIBEL_RELAY_SESSIONS_HEARTBEAT", "1s");
		env.put("DECIBEL_RELAY_SESSIONS_DEAD_AFTER", "3s");
		// Mosquitto discards what an ended session held: drain it; HiveMQ hands it to the live members by itself
		env.put("DECIBEL_RELAY_SESSIONS_HAND_OVER", TestInfrastructure.usesExternalBroker() ? "drain" : "end");
		env.put("LOGGING_LEVEL_IO_DECIBEL_RELAY_ACKS", "WARN");
		env.put("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1");
		int port = FreePorts.any();
		env.put("SERVER_PORT", String.valueOf(port));
		ServiceProcess process = ServiceProcess.start("relay-" + name, ServiceJars.copyOf("relay-service"), env, List.of());
		this.processes.add(process);
		this.relays.put(name, new Relay(process, port));
		return process;
	}

	private static void awaitSubscribed(ServiceProcess relay) {
		relay.awaitLine(SUBSCRIBED, STARTUP);
	}

	private String name(String clientId) {
		return clientId.substring(clientId.lastIndexOf('-') + 1);
	}

	private void scrapeShares() {
		scrape();
		if (this.resending != null && this.once != null) {
			System.out.println(String.format(Locale.ROOT, "fleet: answered %d of %d, stored by relay %s",
					this.resending.figures().answered + this.once.figures().answered,
					this.resending.figures().numbered + this.once.figures().numbered, this.storedByRelay));
		}
	}

	private void scrape() {
		for (Map.Entry<String, Relay> relay : this.relays.entrySet()) {
			if (!relay.getValue().process().isAlive()) {
				continue;
			}
			try {
				long stored = RelayMetrics.storedReadings(get(relay.getValue(), "/actuator/prometheus"));
				this.storedByRelay.merge(relay.getKey(), stored, Math::max);
			}
			catch (Exception ex) {
				// starting or stopping: the last figure seen stands
			}
		}
	}

	private long[] rows(String jdbcUrl) throws Exception {
		try (Connection connection = DriverManager.getConnection(jdbcUrl, TestInfrastructure.dbUsername(),
				TestInfrastructure.dbPassword());
				Statement statement = connection.createStatement();
				ResultSet result = statement
					.executeQuery("select count(*), count(distinct device_id, seq) from readings")) {
			result.next();
			return new long[] { result.getLong(1), result.getLong(2) };
		}
	}

	private String get(Relay relay, String path) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + relay.port() + path))
			.timeout(Duration.ofSeconds(10))
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.ofString()).body();
	}

	private static String seconds(Duration duration) {
		return String.format(Locale.ROOT, "%.1fs", duration.toMillis() / 1000.0);
	}

	record Relay(ServiceProcess process, int port) {
	}

}
