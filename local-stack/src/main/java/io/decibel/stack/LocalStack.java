package io.decibel.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

/**
 * The whole scenario on one machine with nothing but a JDK and the built jars: an embedded broker and database,
 * then the relay, the subscribers and the publisher as child processes, each on its usual port when it is free.
 * Ctrl-C (or SIGTERM) stops them in reverse order, each service waited for, then the database and the broker.
 */
public final class LocalStack {

	/** Logback reads this instead of a {@code logback.xml}, which would also take over the services' tests. */
	private static final String LOGBACK_CONFIGURATION = "local-stack-logback.xml";

	private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);

	private static final Pattern STARTED = Pattern.compile("Started \\w+ in ");

	private final LocalStackOptions options;

	private final Path home;

	private final Set<Integer> ports = new HashSet<>();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private @Nullable Path data;

	private @Nullable EmbeddedBroker broker;

	private @Nullable EmbeddedDatabase database;

	private final List<ServiceProcess> services = new ArrayList<>();

	/** Set once stopping begins; nothing starts after it. Guarded by {@code this}, read without it by run. */
	private volatile boolean stopping;

	private boolean stopped;

	LocalStack(LocalStackOptions options, Path home) {
		this.options = options;
		this.home = home;
	}

	public static void main(String[] args) {
		if (System.getProperty("logback.configurationFile") == null) {
			System.setProperty("logback.configurationFile", LOGBACK_CONFIGURATION);
		}
		LocalStackOptions options;
		try {
			options = LocalStackOptions.parse(args);
		}
		catch (IllegalArgumentException ex) {
			System.err.println(ex.getMessage());
			System.err.println(LocalStackOptions.USAGE);
			System.exit(2);
			return;
		}
		Path home = Path.of(System.getProperty("decibel.home", System.getProperty("user.dir")));
		LocalStack stack = new LocalStack(options, home);
		// Ctrl-C reaches this JVM alone (the services run out of the terminal's reach): at exit the stack stops its
		// parts itself, in order, before anything else stops
		StopOnExit.owner(stack::stop);
		int status;
		try {
			status = stack.run();
		}
		catch (RuntimeException ex) {
			say("Could not start the stack: " + ex.getMessage());
			stack.stop();
			status = 1;
		}
		System.exit(status);
	}

	/**
	 * Starts the stack and waits for the publisher to end; then either stops the stack and returns the publisher's
	 * exit code ({@code --exit-when-published}) or keeps the rest running until this JVM is stopped.
	 */
	int run() {
		Path relayJar = ServiceProcess.jar(this.home, "relay-service");
		Path subscriberJar = ServiceProcess.jar(this.home, "subscriber-service");
		Path publisherJar = ServiceProcess.jar(this.home, "publisher-service");
		Path data = starting(() -> this.data = tempDirectory());

		// in memory: this broker lives exactly as long as the stack, so file persistence (about 1 GB) buys nothing
		EmbeddedBroker broker = starting(
				() -> this.broker = EmbeddedBroker.startInMemory(port(1883), data.resolve("hivemq")));
		say("Broker " + broker.url() + " up");
		EmbeddedDatabase database = starting(
				() -> this.database = EmbeddedDatabase.start(port(3306), data.resolve("mariadb")));
		String jdbcUrl = database.jdbcUrl("decibel");
		say("Database " + jdbcUrl + " up");

		int relayPort = port(8080);
		int publisherPort = port(8081);
		Map<String, String> relayEnv = new LinkedHashMap<>();
		relayEnv.put("DECIBEL_MQTT_URL", broker.url());
		relayEnv.put("SPRING_DATASOURCE_URL", jdbcUrl);
		relayEnv.put("SPRING_DATASOURCE_USERNAME", EmbeddedDatabase.USERNAME);
		relayEnv.put("SPRING_DATASOURCE_PASSWORD", EmbeddedDatabase.PASSWORD);
		relayEnv.put("SERVER_PORT", String.valueOf(relayPort));
		awaitReady(start("relay-service", relayJar, relayEnv), relayPort);

		// subscribers subscribe before the publisher starts, so that they see every reading
		Map<ServiceProcess, Integer> subscribers = new LinkedHashMap<>();
		for (int i = 1; i <= this.options.subscribers(); i++) {
			int port = port(8081 + i);
			subscribers.put(start("subscriber-" + i, subscriberJar,
					Map.of("DECIBEL_MQTT_URL", broker.url(), "SERVER_PORT", String.valueOf(port))), port);
		}
		subscribers.forEach(this::awaitReady);

		Map<String, String> publisherEnv = new LinkedHashMap<>();
		publisherEnv.put("DECIBEL_MQTT_URL", broker.url());
		publisherEnv.put("SERVER_PORT", String.valueOf(publisherPort));
		if (this.options.count() != null) {
			publisherEnv.put("DECIBEL_PUBLISHER_COUNT", String.valueOf(this.options.count()));
		}
		publisherEnv.put("DECIBEL_PUBLISHER_SOURCE", this.options.source());
		publisherEnv.put("DECIBEL_PUBLISHER_STATE_DIR", data.resolve("publisher").toString());
		ServiceProcess publisher = start("publisher-service", publisherJar, publisherEnv);

		banner(broker.url(), jdbcUrl, relayPort);
		int status = publisher.awaitExit(Duration.ofDays(365 * 100));
		if (this.stopping) {
			return status;
		}
		if (this.options.exitWhenPublished()) {
			say("Publisher ended with exit code " + status + "; stopping the stack");
			stop();
			return status;
		}
		say("Publisher finished (exit code " + status + "). The rest of the stack keeps running: Ctrl-C stops it.");
		awaitStop();
		return status;
	}

	/** Stops what runs, the last started first: publisher, subscribers, relay, then database and broker. */
	synchronized void stop() {
		if (this.stopped) {
			return;
		}
		this.stopping = true;
		this.stopped = true;
		ServiceProcess.stopInReverse(this.services);
		quietly("database", () -> {
			if (this.database != null) {
				this.database.stop();
			}
		});
		quietly("broker", () -> {
			if (this.broker != null) {
				this.broker.stop();
			}
		});
		quietly("data folder", () -> {
			if (this.data != null) {
				deleteRecursively(this.data);
			}
		});
		say("Stopped");
	}

	/** The services started so far, in the order they started. */
	synchronized List<ServiceProcess> services() {
		return List.copyOf(this.services);
	}

	private ServiceProcess start(String name, Path jar, Map<String, String> environment) {
		return starting(() -> {
			ServiceProcess service = ServiceProcess.start(name, jar, environment, List.of());
			this.services.add(service);
			return service;
		});
	}

	/**
	 * Runs one step of starting up, unless stopping has begun: Ctrl-C during start-up must not leave behind a part
	 * started after the others were stopped.
	 */
	private synchronized <T> T starting(Supplier<T> step) {
		if (this.stopping) {
			throw new IllegalStateException("Stopping");
		}
		return step.get();
	}

	/**
	 * Waits until the service has logged that it started, then until its readiness group is UP (a service without a
	 * readiness probe is ready once started). The log line comes first: it proves that whatever answers on the port
	 * is this service, not another process that took the port in the meantime.
	 */
	private void awaitReady(ServiceProcess service, int port) {
		long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
		try {
			service.awaitLine(STARTED, READY_TIMEOUT);
		}
		catch (IllegalStateException ex) {
			throw new IllegalStateException(service.name() + " did not start: " + firstLine(ex.getMessage()), ex);
		}
		HttpRequest readiness = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
			.timeout(Duration.ofSeconds(5))
			.build();
		while (System.nanoTime() < deadline) {
			if (!service.isAlive()) {
				throw new IllegalStateException(service.name() + " ended before it was ready");
			}
			try {
				HttpResponse<String> response = this.http.send(readiness, HttpResponse.BodyHandlers.ofString());
				// 503 while the group is DOWN or OUT_OF_SERVICE
				if ((response.statusCode() == 200 && response.body().contains("\"status\":\"UP\""))
						|| response.statusCode() == 404) {
					return;
				}
			}
			catch (IOException ex) {
				// not answering yet
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted while waiting for " + service.name(), ex);
			}
			sleep(Duration.ofMillis(500));
		}
		throw new IllegalStateException(service.name() + " not ready within " + READY_TIMEOUT);
	}

	private static String firstLine(String message) {
		int end = message.indexOf(System.lineSeparator());
		return (end < 0) ? message : message.substring(0, end);
	}

	/** A port not taken on this machine nor already given to another part of the stack. */
	private int port(int preferred) {
		int port = FreePorts.preferring(preferred);
		while (!this.ports.add(port)) {
			port = FreePorts.any();
		}
		return port;
	}

	private static void banner(String brokerUrl, String jdbcUrl, int relayPort) {
		say("");
		say("Decibel is running");
		say("  Broker:     " + brokerUrl);
		say("  Database:   " + jdbcUrl);
		say("  Relay page: http://localhost:" + relayPort + "/");
		say("Ctrl-C stops everything.");
		say("");
	}

	private static void say(String line) {
		System.out.println(String.format("[%-17s] %s", "local-stack", line));
	}

	private void awaitStop() {
		try {
			Thread.currentThread().join();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static Path tempDirectory() {
		try {
			return Files.createTempDirectory("decibel-stack-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void deleteRecursively(Path folder) {
		try (Stream<Path> paths = Files.walk(folder)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(path);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted", ex);
		}
	}

	/** Shutting down goes on past a part that fails to stop: the others still deserve their chance. */
	private static void quietly(String what, Runnable stop) {
		try {
			stop.run();
		}
		catch (RuntimeException ex) {
			say("Could not stop the " + what + " cleanly: " + ex.getMessage());
		}
	}

}
