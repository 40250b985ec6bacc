package io.decibel.e2e;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import com.jayway.jsonpath.JsonPath;
import io.decibel.stack.FreePorts;
import io.decibel.stack.ServiceProcess;
import io.decibel.testsupport.SecuredMosquitto;
import io.decibel.testsupport.TestCertificates;
import io.decibel.testsupport.TestInfrastructure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.decibel.e2e.ProjectFiles.projectHome;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The service jars on a broker that checks credentials, ACLs and certificates (Mosquitto, started here), configured
 * only through the environment, as compose or any deployment configures them: {@code DECIBEL_MQTT_USERNAME},
 * {@code DECIBEL_MQTT_PASSWORD}, an {@code ssl://} URL and a PEM SSL bundle.
 */
class SecuredBrokerTests {

	static final Duration STARTUP = Duration.ofSeconds(90);

	static final String ACL = SecuredMosquitto.DECIBEL_ACL;

	final Map<String, String> passwords = Map.of("relay", secret(), "subscriber", secret(), "secured-device",
			secret());

	final List<ServiceProcess> processes = new ArrayList<>();

	final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@TempDir
	Path home;

	TestCertificates certificates;

	SecuredMosquitto broker;

	@BeforeEach
	void startSecuredBroker() {
		assumeTrue(SecuredMosquitto.isInstalled(), "mosquitto is not installed (CI installs it)");
		assumeTrue(TestCertificates.opensslInstalled(), "openssl is not installed");
		this.certificates = TestCertificates.generate(this.home.resolve("tls"));
		this.broker = SecuredMosquitto.start(this.home.resolve("mosquitto"), this.passwords, ACL, this.certificates);
	}

	@AfterEach
	void stopServicesThenBroker() {
		ServiceProcess.stopInReverse(this.processes);
		if (this.broker != null) {
			this.broker.close();
		}
	}

	@Test
	void aServiceWithAWrongPasswordStaysUpReportsDownAndKeepsTrying() throws Exception {
		// given: a subscriber whose password is not the broker's
		String wrong = "wrong-" + secret();
		Map<String, String> environment = new HashMap<>(Map.of("DECIBEL_MQTT_URL", this.broker.url(),
				"DECIBEL_MQTT_USERNAME", "subscriber", "DECIBEL_MQTT_PASSWORD", wrong, "SERVER_PORT",
				String.valueOf(FreePorts.any())));

		// when
		ServiceProcess subscriber = start("subscriber-service", environment);

		// then: one clear line per attempt, naming the user and the reason, never the password
		Pattern refused = Pattern.compile("MQTT broker tcp://127\\.0\\.0\\.1:\\d+ refused client \\S+ as user"
				+ " 'subscriber': .*check decibel\\.mqtt\\.username and decibel\\.mqtt\\.password; retrying");
		subscriber.awaitLine(Pattern.compile("Started SubscriberApplication"), STARTUP);
		subscriber.awaitLine(refused, STARTUP);
		// it tries again (with back-off) and stays up: no crash, no restart loop
		await().atMost(Duration.ofSeconds(30)).until(() -> subscriber.countLines(refused) >= 2);
		assertThat(subscriber.isAlive()).isTrue();
		// health: DOWN for the broker, not ready, and no credential in it
		URI health = URI.create("http://127.0.0.1:" + environment.get("SERVER_PORT") + "/actuator/health");
		HttpResponse<String> response = await().atMost(STARTUP)
			.ignoreExceptionsInstanceOf(ConnectException.class)
			.until(() -> this.http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString()),
					(answer) -> answer.statusCode() == 503);
		assertThat(JsonPath.<String>read(response.body(), "$.components.mqtt.status")).isEqualTo("DOWN");
		assertThat(response.body()).doesNotContain(wrong).doesNotContain("subscriber'");
		HttpResponse<String> readiness = this.http.send(
				HttpRequest.newBuilder(URI.create(health + "/readiness")).build(), HttpResponse.BodyHandlers.ofString());
		assertThat(readiness.statusCode()).isEqualTo(503);
		assertThat(subscriber.lines()).noneMatch((line) -> line.contains(wrong));
		assertThat(subscriber.isAlive()).isTrue();
	}

	@Test
	void theServicesLogInOverTlsAsThemselvesAndTheDevicesReadingsAreStored() throws Exception {
		// given: the relay over TLS as "relay", with the database of this test
		Map<String, String> relayEnvironment = tls("relay");
		relayEnvironment.put("DECIBEL_MQTT_CLIENT_ID", TestInfrastructure.uniqueName("relay"));
		relayEnvironment.put("SPRING_DATASOURCE_URL",
				TestInfrastructure.jdbcUrl(TestInfrastructure.uniqueName("secured")));
		relayEnvironment.put("SPRING_DATASOURCE_USERNAME", TestInfrastructure.dbUsername());
		relayEnvironment.put("SPRING_DATASOURCE_PASSWORD", TestInfrastructure.dbPassword());
		ServiceProcess relay = start("relay-service", relayEnvironment);
		relay.awaitLine(Pattern.compile("Connected and subscribed to"), STARTUP);

		// when: the device, over TLS as itself, sends three readings
		Map<String, String> deviceEnvironment = tls("secured-device");
		deviceEnvironment.put("DECIBEL_PUBLISHER_DEVICE_ID", "secured-device");
		deviceEnvironment.put("DECIBEL_PUBLISHER_COUNT", "3");
		deviceEnvironment.put("DECIBEL_PUBLISHER_SOURCE", "synthetic");
		deviceEnvironment.put("DECIBEL_PUBLISHER_WINDOW", "200ms");
		deviceEnvironment.put("DECIBEL_PUBLISHER_STATE_DIR", Files.createDirectories(this.home.resolve("state"))
			.toString());
		ServiceProcess device = start("publisher-service", deviceEnvironment);

		// then: each is stored and acknowledged
		assertThat(device.awaitExit(STARTUP)).isZero();
		assertThat(device.countLines(Pattern.compile("ACK seq=\\d+ status=STORED"))).isEqualTo(3);
		assertThat(relay.countLines(Pattern.compile("STORED device=secured-device seq="))).isEqualTo(3);
		assertThat(relay.lines()).noneMatch((line) -> line.contains(this.passwords.get("relay")));
	}

	/** The environment of a service that logs in as {@code user} over TLS, with the test CA and a client certificate. */
	private Map<String, String> tls(String user) {
		Map<String, String> environment = new HashMap<>();
		environment.put("DECIBEL_MQTT_URL", this.broker.tlsUrl());
		environment.put("DECIBEL_MQTT_USERNAME", user);
		environment.put("DECIBEL_MQTT_PASSWORD", this.passwords.get(user));
		environment.put("DECIBEL_MQTT_SSL_BUNDLE", "mqtt");
		environment.put("SPRING_SSL_BUNDLE_PEM_MQTT_TRUSTSTORE_CERTIFICATE",
				"file:" + this.certificates.caCertificate());
		environment.put("SPRING_SSL_BUNDLE_PEM_MQTT_KEYSTORE_CERTIFICATE",
				"file:" + this.certificates.clientCertificate());
		environment.put("SPRING_SSL_BUNDLE_PEM_MQTT_KEYSTORE_PRIVATE_KEY", "file:" + this.certificates.clientKey());
		environment.put("SERVER_PORT", String.valueOf(FreePorts.any()));
		return environment;
	}

	private ServiceProcess start(String module, Map<String, String> environment) {
		ServiceProcess process = ServiceProcess.start(module, ServiceProcess.jar(projectHome(), module), environment,
				List.of());
		this.processes.add(process);
		return process;
	}

	private static String secret() {
		return UUID.randomUUID().toString();
	}

}
