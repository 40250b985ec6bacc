package io.decibel.bench.raw;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

import io.decibel.contract.Ack;
import io.decibel.contract.DecodedReading;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.mqtt.MessageCallback;
import io.decibel.mqtt.NoDelaySocketFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * The ceiling: a plain Paho v5 client that answers each reading {@code STORED} as it arrives, with no database and
 * nothing between Paho's callback and the answer. It keeps the relay's terms — QoS 1 on the shared subscription,
 * manual acknowledgements (the PUBACK once the answer is written), the relay's Receive Maximum and session (clean start
 * off, a day's expiry), the answer at QoS 0 to the Response Topic with the Correlation Data — so that the relay is
 * measured against the same protocol work minus its own: validation, the database, Spring Integration.
 * <p>
 * Configured from the environment as the services are: {@code DECIBEL_MQTT_URL}, {@code DECIBEL_MQTT_TOPIC_ROOT},
 * {@code DECIBEL_MQTT_CLIENT_ID}, {@code DECIBEL_MQTT_RECEIVE_MAXIMUM}.
 */
public final class RawEcho implements MessageCallback, AutoCloseable {

	/** The relay's {@code decibel.mqtt.receive-maximum} (relay-service's application.yml). */
	public static final int RELAY_RECEIVE_MAXIMUM = 1000;

	/** The relay's {@code decibel.mqtt.session-expiry}. */
	static final Duration RELAY_SESSION_EXPIRY = Duration.ofDays(1);

	/** The share group the echo subscribes in. */
	public static final String GROUP = "bench";

	private final TelemetryCodec codec = new TelemetryCodec();

	private final Topics topics;

	private final MqttAsyncClient client;

	private final MqttConnectionOptions options;

	private RawEcho(String url, String topicRoot, String clientId, int receiveMaximum) throws MqttException {
		this.topics = new Topics(topicRoot);
		this.client = new MqttAsyncClient(url, clientId, new MemoryPersistence());
		this.client.setCallback(this);
		// the PUBACK goes out once the answer is written (messageArrivedComplete), not when messageArrived returns
		this.client.setManualAcks(true);
		this.options = new MqttConnectionOptions();
		this.options.setCleanStart(false);
		this.options.setSessionExpiryInterval(RELAY_SESSION_EXPIRY.toSeconds());
		this.options.setReceiveMaximum(receiveMaximum);
		this.options.setAutomaticReconnect(true);
		this.options.setAutomaticReconnectDelay(1, 30);
		if (url.startsWith("tcp://")) {
			this.options.setSocketFactory(new NoDelaySocketFactory());
		}
	}

	/**
	 * Connects and subscribes; the broker may send readings from then on.
	 * @return the echo, to be closed
	 */
	public static RawEcho start(String url, String topicRoot, String clientId, int receiveMaximum)
			throws MqttException {
		RawEcho echo = new RawEcho(url, topicRoot, clientId, receiveMaximum);
		echo.client.connect(echo.options).waitForCompletion(10_000);
		echo.client.subscribe(new MqttSubscription(echo.topics.sharedReadings(GROUP), 1)).waitForCompletion(10_000);
		return echo;
	}

	/** The share group's filter the echo subscribed to. */
	public String subscription() {
		return this.topics.sharedReadings(GROUP);
	}

	@Override
	public void messageArrived(String topic, MqttMessage delivery) throws MqttException {
		int id = delivery.getId();
		int qos = delivery.getQos();
		DecodedReading decoded = this.codec.decodeReading(delivery.getPayload());
		if (decoded.reading() == null) {
			// not a reading the relay would store: taken, unanswered (the benchmark sends none)
			this.client.messageArrivedComplete(id, qos);
			return;
		}
		MqttProperties request = delivery.getProperties();
		String responseTopic = (request != null) ? request.getResponseTopic() : null;
		MqttMessage answer = new MqttMessage(this.codec.encode(Ack.stored(decoded.reading(), Instant.now())));
		// QoS 0, as the relay answers
		answer.setQos(0);
		MqttProperties properties = new MqttProperties();
		if (request != null && request.getCorrelationData() != null) {
			properties.setCorrelationData(request.getCorrelationData());
		}
		answer.setProperties(properties);
		String replyTopic = (responseTopic != null) ? responseTopic : this.topics.acks(decoded.reading().deviceId());
		this.client.publish(replyTopic, answer, null, new MqttActionListener() {

			@Override
			public void onSuccess(IMqttToken token) {
				acknowledge(id, qos);
			}

			@Override
			public void onFailure(IMqttToken token, Throwable failure) {
				// no PUBACK: the broker sends the reading again on the next connection
			}

		});
	}

	private void acknowledge(int id, int qos) {
		try {
			this.client.messageArrivedComplete(id, qos);
		}
		catch (MqttException ex) {
			// the connection is gone: the broker sends the reading again
		}
	}

	@Override
	public void disconnected(MqttDisconnectResponse response) {
		System.err.println("raw echo disconnected: " + response);
	}

	@Override
	public void connectComplete(boolean reconnect, String serverURI) {
		if (reconnect) {
			System.err.println("raw echo reconnected to " + serverURI);
		}
	}

	@Override
	public void close() {
		try {
			this.client.disconnect(1000).waitForCompletion(2000);
		}
		catch (MqttException ex) {
			// closing anyway
		}
		try {
			this.client.close(true);
		}
		catch (MqttException ex) {
			// nothing left to do
		}
	}

	/** {@code java -jar bench.jar raw}: runs until SIGTERM. */
	public static void main(String[] args) throws Exception {
		long launched = ManagementFactory.getRuntimeMXBean().getStartTime();
		long started = System.nanoTime();
		Map<String, String> env = System.getenv();
		String clientId = env.getOrDefault("DECIBEL_MQTT_CLIENT_ID",
				"raw-echo-" + UUID.randomUUID().toString().substring(0, 8));
		int receiveMaximum = Integer
			.parseInt(env.getOrDefault("DECIBEL_MQTT_RECEIVE_MAXIMUM", Integer.toString(RELAY_RECEIVE_MAXIMUM)));
		RawEcho echo = start(env.getOrDefault("DECIBEL_MQTT_URL", "tcp://localhost:1883"),
				env.getOrDefault("DECIBEL_MQTT_TOPIC_ROOT", Topics.DEFAULT_ROOT), clientId, receiveMaximum);
		CountDownLatch stopped = new CountDownLatch(1);
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			echo.close();
			stopped.countDown();
		}, "raw-echo-stop"));
		// the lines the benchmark waits for, worded as Spring Boot's and the services' are
		System.out.println(String.format(Locale.ROOT, "Started RawEcho in %.3f seconds (process running for %.3f)",
				(System.nanoTime() - started) / 1e9, (System.currentTimeMillis() - launched) / 1e3));
		System.out.println("Connected and subscribed to " + echo.subscription() + " as " + clientId
				+ ", Receive Maximum " + receiveMaximum);
		stopped.await();
	}

}
