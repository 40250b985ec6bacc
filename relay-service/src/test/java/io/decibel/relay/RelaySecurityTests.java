package io.decibel.relay;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.decibel.contract.Reading;
import io.decibel.contract.SoundLevels;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.mqtt.MessageCallback;
import io.decibel.relay.readings.ReadingKey;
import io.decibel.relay.readings.StoredReadingRepository;
import io.decibel.testsupport.SecuredMosquitto;
import io.decibel.testsupport.TestCertificates;
import io.decibel.testsupport.TestInfrastructure;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The relay on a broker that checks who connects and what each client may do: Mosquitto, started here with a password
 * file, an ACL file and a TLS listener that requires a client certificate from a CA generated for this test. The relay
 * and the devices connect over TLS only, each with its own user. The ACL is the one the compose broker enforces, in
 * Mosquitto's syntax: a device writes only its own readings and reads only its own ACKs and alerts.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RelaySecurityTests {

	static final Topics TOPICS = new Topics("decibel");

	static final int NOT_AUTHORIZED = 0x87;

	static final String ACL = SecuredMosquitto.DECIBEL_ACL;

	static final Map<String, String> PASSWORDS = Map.of("relay", secret(), "subscriber", secret(), "kitchen",
			secret(), "cellar", secret(), "pantry", secret());

	static Path home;

	static TestCertificates certificates;

	static SecuredMosquitto broker;

	/** This class's own context: no other test shares its properties. */
	static ConfigurableApplicationContext relay;

	final TelemetryCodec codec = new TelemetryCodec();

	final JsonMapper json = JsonMapper.builder().build();

	@Autowired
	StoredReadingRepository repository;

	@Autowired
	SslBundles sslBundles;

	@LocalServerPort
	int port;

	MqttAsyncClient client;

	@BeforeAll
	static void startSecuredBroker() throws IOException {
		Assumptions.assumeTrue(SecuredMosquitto.isInstalled(), "mosquitto is not installed (CI installs it)");
		Assumptions.assumeTrue(TestCertificates.opensslInstalled(), "openssl is not installed");
		home = Files.createTempDirectory("decibel-secured-mosquitto-");
		certificates = TestCertificates.generate(home.resolve("tls"));
		broker = SecuredMosquitto.start(home, PASSWORDS, ACL, certificates);
	}

	@AfterAll
	static void stopBrokerAfterTheRelay() {
		if (broker == null) {
			return;
		}
		// the relay's context is cached until the JVM ends; stopped after its broker, the relay would wait 30 s for
		// its in-flight messages: the broker goes once the relay is gone
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			await().atMost(Duration.ofSeconds(60)).until(() -> relay == null || !relay.isActive());
			broker.close();
		}, "secured-mosquitto-stop"));
	}

	@DynamicPropertySource
	static void securedInfrastructure(DynamicPropertyRegistry registry) {
		registry.add("decibel.mqtt.url", () -> broker.tlsUrl());
		registry.add("decibel.mqtt.username", () -> "relay");
		registry.add("decibel.mqtt.password", () -> PASSWORDS.get("relay"));
		registry.add("decibel.mqtt.ssl-bundle", () -> "mqtt");
		registry.add("spring.ssl.bundle.pem.mqtt.truststore.certificate",
				() -> "file:" + certificates.caCertificate());
		registry.add("spring.ssl.bundle.pem.mqtt.keystore.certificate",
				() -> "file:" + certificates.clientCertificate());
		registry.add("spring.ssl.bundle.pem.mqtt.keystore.private-key", () -> "file:" + certificates.clientKey());
		registry.add("decibel.mqtt.client-id", () -> TestInfrastructure.uniqueName("relay"));
		registry.add("spring.datasource.url",
				() -> TestInfrastructure.jdbcUrl(TestInfrastructure.uniqueName("secured")));
		registry.add("spring.datasource.username", TestInfrastructure::dbUsername);
		registry.add("spring.datasource.password", TestInfrastructure::dbPassword);
		// an alert for the pantry's first minute over 60 dB
		registry.add("decibel.relay.alerts.rules[0].name", () -> "loud");
		registry.add("decibel.relay.alerts.rules[0].metric", () -> "laeq");
		registry.add("decibel.relay.alerts.rules[0].limit", () -> "60");
		registry.add("decibel.relay.alerts.rules[0].duration", () -> "1m");
		registry.add("decibel.relay.alerts.rules[0].devices", () -> "pantry");
		registry.add("decibel.relay.alerts.interval", () -> "200ms");
		registry.add("decibel.relay.alerts.grace", () -> "1s");
		registry.add("decibel.relay.alerts.look-back", () -> "2d");
	}

	@Autowired
	void relay(ConfigurableApplicationContext context) {
		relay = context;
	}

	@AfterEach
	void disconnect() throws Exception {
		if (this.client != null) {
			if (this.client.isConnected()) {
				this.client.disconnect().waitForCompletion(5000);
			}
			this.client.close();
		}
	}

	@Test
	void storesAReadingThatADeviceSendsOverTlsUnderItsOwnId() throws Exception {
		// given: the device "kitchen", logged in as itself, listening on its ACK topic
		this.client = connect("kitchen");
		BlockingQueue<String> acks = subscribe(TOPICS.acks("kitchen"));

		// when
		int reasonCode = publish(TOPICS.readings("kitchen"), RelayTests.reading("kitchen", 1));

		// then
		assertThat(reasonCode).isZero();
		assertThat(this.json.readTree(next(acks)).path("status").asString()).isEqualTo("STORED");
		assertThat(this.repository.existsById(new ReadingKey("kitchen", 1))).isTrue();
	}

	@Test
	void refusesADevicePublishingUnderAnotherDevicesIdAndStoresNothingForIt() throws Exception {
		// given: the device "kitchen"
		this.client = connect("kitchen");
		BlockingQueue<String> acks = subscribe(TOPICS.acks("kitchen"));

		// when: it publishes a reading of "cellar" on cellar's topic
		int reasonCode = publish(TOPICS.readings("cellar"), RelayTests.reading("cellar", 99));

		// then: the broker says no (MQTT 5 PUBACK "Not authorized") and the relay never sees it: a reading of its
		// own, sent after, is stored and acknowledged, and cellar has no row
		assertThat(reasonCode).isEqualTo(NOT_AUTHORIZED);
		publish(TOPICS.readings("kitchen"), RelayTests.reading("kitchen", 2));
		assertThat(this.json.readTree(next(acks)).path("seq").asLong()).isEqualTo(2);
		assertThat(this.repository.existsById(new ReadingKey("cellar", 99))).isFalse();
	}

	@Test
	void deliversADeviceNoAckOfAnotherDevice() throws Exception {
		// given: "kitchen" tries to listen to cellar's ACKs, "cellar" to its own
		this.client = connect("kitchen");
		int granted = subscribeForReasonCode(TOPICS.acks("cellar"));
		BlockingQueue<String> kitchenSees = new LinkedBlockingQueue<>();
		this.client.setCallback(new MessagesTo(kitchenSees));
		MqttAsyncClient cellar = connect("cellar");
		try {
			BlockingQueue<String> cellarAcks = subscribe(cellar, TOPICS.acks("cellar"));

			// when: cellar's reading is stored and acknowledged
			publish(cellar, TOPICS.readings("cellar"), RelayTests.reading("cellar", 1));
			assertThat(this.json.readTree(next(cellarAcks)).path("status").asString()).isEqualTo("STORED");

			// then: the broker refused the subscription (MQTT 5 SUBACK "Not authorized"), or accepted it and delivers
			// nothing on it (Mosquitto checks "read" when it delivers)
			if (granted != NOT_AUTHORIZED) {
				assertThat(kitchenSees.poll(2, TimeUnit.SECONDS)).as("an ACK of cellar delivered to kitchen").isNull();
			}
		}
		finally {
			cellar.disconnect().waitForCompletion(5000);
			cellar.close();
		}
	}

	@Test
	void publishesADevicesAlertOverTlsToThatDeviceOnly() throws Exception {
		// given: "pantry" listens to its alerts, "kitchen" tries to listen to them too
		this.client = connect("kitchen");
		int granted = subscribeForReasonCode(TOPICS.alert("pantry"));
		BlockingQueue<String> kitchenSees = new LinkedBlockingQueue<>();
		this.client.setCallback(new MessagesTo(kitchenSees));
		MqttAsyncClient pantry = connect("pantry");
		try {
			BlockingQueue<String> alerts = subscribe(pantry, TOPICS.alert("pantry"));
			BlockingQueue<String> acks = subscribe(pantry, TOPICS.acks("pantry"));

			// when: a minute of yesterday at 70 dB(A)
			Instant sampledAt = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofHours(12)).plusSeconds(30);
			publish(pantry, TOPICS.readings("pantry"), new Reading("pantry", 1, sampledAt, 1000, 1234.5,
					20 * Math.log10(1234.5 / 32768), 4000, "synthetic", new SoundLevels(70, 75, 60, 72, 70, 65, true)));
			assertThat(this.json.readTree(next(acks)).path("status").asString()).isEqualTo("STORED");

			// then: the relay, as user "relay" on its alerts' own TLS connection, publishes the alert; the device
			// reads it, another device does not
			JsonNode alert = this.json.readTree(next(alerts));
			assertThat(alert.path("change").asString()).isEqualTo("RAISED");
			assertThat(alert.path("deviceId").asString()).isEqualTo("pantry");
			if (granted != NOT_AUTHORIZED) {
				assertThat(kitchenSees.poll(2, TimeUnit.SECONDS)).as("pantry's alert delivered to kitchen").isNull();
			}
		}
		finally {
			pantry.disconnect().waitForCompletion(5000);
			pantry.close();
		}
	}

	@Test
	void refusesASubscriberPublishingReadings() throws Exception {
		this.client = connect("subscriber");

		int reasonCode = publish(TOPICS.readings("kitchen"), RelayTests.reading("kitchen", 3));

		assertThat(reasonCode).isEqualTo(NOT_AUTHORIZED);
		assertThat(this.repository.existsById(new ReadingKey("kitchen", 3))).isFalse();
	}

	@Test
	void refusesAWrongPasswordAndAClientWithoutACertificate() throws Exception {
		// a wrong password
		MqttConnectionOptions wrongPassword = options("kitchen");
		wrongPassword.setPassword("not-the-password".getBytes(StandardCharsets.UTF_8));
		assertThat(connectionFailure(broker.tlsUrl(), wrongPassword)).isNotNull();
		// the right password, but no client certificate
		MqttConnectionOptions noCertificate = options("kitchen");
		SslBundle trustOnly = SslBundle.of(new PemSslStoreBundle(null,
				PemSslStoreDetails.forCertificate("file:" + certificates.caCertificate())));
		noCertificate.setSocketFactory(trustOnly.createSslContext().getSocketFactory());
		assertThat(connectionFailure(broker.tlsUrl(), noCertificate)).isNotNull();
		// no user at all, on the plain listener
		assertThat(connectionFailure(broker.url(), new MqttConnectionOptions())).isNotNull();
	}

	@Test
	void showsHealthAndInfoWithoutCredentialsAndNoOtherManagementEndpoint() throws Exception {
		// given: the relay connected over TLS
		await().untilAsserted(() -> assertThat(
				this.json.readTree(get("/actuator/health").body()).path("components").path("mqtt").path("status")
					.asString())
			.isEqualTo("UP"));

		// then: health names its components, without details, and nothing secret anywhere
		HttpResponse<String> health = get("/actuator/health");
		assertThat(this.json.readTree(health.body()).path("components").path("mqtt").has("details")).isFalse();
		HttpResponse<String> info = get("/actuator/info");
		assertThat(info.statusCode()).isEqualTo(200);
		for (HttpResponse<String> response : List.of(health, info, get("/actuator"))) {
			assertThat(response.body()).doesNotContain(PASSWORDS.get("relay"))
				.doesNotContain(TestInfrastructure.dbPassword().isEmpty() ? "\u0000" : TestInfrastructure.dbPassword())
				.doesNotContain(certificates.clientKey().toString());
		}
		for (String endpoint : List.of("env", "configprops", "beans", "mappings", "loggers", "heapdump", "threaddump",
				"conditions", "scheduledtasks", "metrics", "shutdown", "sbom", "integrationgraph")) {
			assertThat(get("/actuator/" + endpoint).statusCode()).as(endpoint).isEqualTo(404);
		}
	}

	private MqttAsyncClient connect(String user) throws Exception {
		MqttAsyncClient client = new MqttAsyncClient(broker.tlsUrl(), TestInfrastructure.uniqueName(user),
				new MemoryPersistence());
		client.connect(options(user)).waitForCompletion(10_000);
		return client;
	}

	private MqttConnectionOptions options(String user) {
		MqttConnectionOptions options = new MqttConnectionOptions();
		options.setUserName(user);
		options.setPassword(PASSWORDS.get(user).getBytes(StandardCharsets.UTF_8));
		// the relay's own bundle: the test CA, and the client certificate it signed
		options.setSocketFactory(this.sslBundles.getBundle("mqtt").createSslContext().getSocketFactory());
		return options;
	}

	private static Throwable connectionFailure(String url, MqttConnectionOptions options) throws Exception {
		MqttAsyncClient client = new MqttAsyncClient(url, TestInfrastructure.uniqueName("refused"),
				new MemoryPersistence());
		try {
			client.connect(options).waitForCompletion(10_000);
			client.disconnect().waitForCompletion(5000);
			return null;
		}
		catch (Exception ex) {
			return ex;
		}
		finally {
			client.close(true);
		}
	}

	private BlockingQueue<String> subscribe(String topic) throws Exception {
		return subscribe(this.client, topic);
	}

	private BlockingQueue<String> subscribe(MqttAsyncClient client, String topic) throws Exception {
		BlockingQueue<String> received = new LinkedBlockingQueue<>();
		IMqttMessageListener listener = (t, message) -> received
			.add(new String(message.getPayload(), StandardCharsets.UTF_8));
		IMqttToken token = client.subscribe(new MqttSubscription[] { new MqttSubscription(topic, 1) }, null,
				null, new IMqttMessageListener[] { listener }, new MqttProperties());
		token.waitForCompletion(10_000);
		assertThat(token.getReasonCodes()[0]).as("granted QoS of " + topic).isEqualTo(1);
		return received;
	}

	private int subscribeForReasonCode(String topic) throws Exception {
		IMqttToken token = this.client.subscribe(new MqttSubscription(topic, 1));
		token.waitForCompletion(10_000);
		return token.getReasonCodes()[0];
	}

	/** Publishes at QoS 1, answers on the device's ACK topic; returns the reason code of the broker's PUBACK. */
	private int publish(String topic, Reading reading) throws Exception {
		return publish(this.client, topic, reading);
	}

	private int publish(MqttAsyncClient client, String topic, Reading reading) throws Exception {
		MqttMessage message = new MqttMessage(this.codec.encode(reading));
		message.setQos(1);
		MqttProperties properties = new MqttProperties();
		properties.setResponseTopic(TOPICS.acks(reading.deviceId()));
		message.setProperties(properties);
		IMqttToken token = client.publish(topic, message);
		token.waitForCompletion(10_000);
		int[] reasonCodes = token.getReasonCodes();
		return (reasonCodes != null && reasonCodes.length > 0) ? reasonCodes[0] : 0;
	}

	private HttpResponse<String> get(String path) throws Exception {
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).build(),
					HttpResponse.BodyHandlers.ofString());
	}

	private static String next(BlockingQueue<String> queue) throws InterruptedException {
		String received = queue.poll(15, TimeUnit.SECONDS);
		assertThat(received).as("a message within 15 s").isNotNull();
		return received;
	}

	/** Whatever arrives on a subscription made without a listener of its own. */
	record MessagesTo(BlockingQueue<String> queue) implements MessageCallback {

		@Override
		public void messageArrived(String topic, MqttMessage message) {
			this.queue.add(topic + " " + new String(message.getPayload(), StandardCharsets.UTF_8));
		}

	}

	private static String secret() {
		return UUID.randomUUID().toString();
	}

}
