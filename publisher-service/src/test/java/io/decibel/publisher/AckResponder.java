package io.decibel.publisher;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

import io.decibel.contract.Ack;
import io.decibel.contract.DecodedReading;
import io.decibel.contract.Reading;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.testsupport.TestInfrastructure;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.jspecify.annotations.Nullable;

/**
 * A stand-in for the relay, on a raw Paho v5 client: it answers each reading on the reading's Response Topic with
 * the reading's Correlation Data, with whatever ACK the test decides (none, to play a lost ACK).
 */
final class AckResponder implements AutoCloseable {

	private static final long TIMEOUT_MS = 10_000;

	private final TelemetryCodec codec = new TelemetryCodec();

	private final MqttAsyncClient client;

	private final Function<Delivery, @Nullable Ack> answer;

	private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();

	private final Map<Long, Integer> deliveriesBySeq = new ConcurrentHashMap<>();

	private final ExecutorService answers = Executors.newSingleThreadExecutor();

	private AckResponder(String url, Function<Delivery, @Nullable Ack> answer) throws MqttException {
		this.client = new MqttAsyncClient(url, TestInfrastructure.uniqueName("responder"), new MemoryPersistence());
		this.answer = answer;
	}

	/** Answers every reading with STORED. */
	static AckResponder storing(Topics topics) throws MqttException {
		return start(topics, (delivery) -> Ack.stored(delivery.reading(), Instant.now()));
	}

	static AckResponder start(Topics topics, Function<Delivery, @Nullable Ack> answer) throws MqttException {
		AckResponder responder = new AckResponder(TestInfrastructure.mqttUrl(), answer);
		responder.client.connect().waitForCompletion(TIMEOUT_MS);
		// Paho v5's subscribe(String, int, listener) recurses forever (paho.mqtt.java#827): use the array form
		responder.client
			.subscribe(new MqttSubscription[] { new MqttSubscription(topics.allReadings(), 1) }, null, null,
					new IMqttMessageListener[] { responder::onReading }, new MqttProperties())
			.waitForCompletion(TIMEOUT_MS);
		return responder;
	}

	List<Delivery> deliveries() {
		return List.copyOf(this.deliveries);
	}

	/** Publishes a raw payload as if it were an ACK. */
	void sendRaw(String topic, String payload) throws MqttException {
		this.client.publish(topic, payload.getBytes(StandardCharsets.UTF_8), 1, false).waitForCompletion(TIMEOUT_MS);
	}

	private void onReading(String topic, MqttMessage message) throws MqttException {
		DecodedReading decoded = this.codec.decodeReading(message.getPayload());
		if (!decoded.isValid()) {
			throw new IllegalStateException("The publisher sent an invalid reading: " + decoded.reason());
		}
		Reading reading = decoded.reading();
		int number = this.deliveriesBySeq.merge(reading.seq(), 1, Integer::sum);
		MqttProperties properties = message.getProperties();
		Delivery delivery = new Delivery(topic, reading, number, message.getPayload(), properties.getResponseTopic(),
				properties.getCorrelationData());
		this.deliveries.add(delivery);
		Ack ack = this.answer.apply(delivery);
		if (ack == null) {
			return;
		}
		MqttMessage answer = new MqttMessage(this.codec.encode(ack));
		answer.setQos(1);
		MqttProperties answerProperties = new MqttProperties();
		answerProperties.setCorrelationData(delivery.correlationData());
		answer.setProperties(answerProperties);
		// not on the client's callback thread, which completes the publish; and a burst of readings (after a broker
		// restart) must wait for the in-flight window instead of failing the client
		this.answers.execute(() -> publishWhenTheWindowOpens(delivery.responseTopic(), answer));
	}

	private void publishWhenTheWindowOpens(String topic, MqttMessage answer) {
		try {
			while (true) {
				try {
					this.client.publish(topic, answer);
					return;
				}
				catch (MqttException ex) {
					if (ex.getReasonCode() != MqttClientException.REASON_CODE_MAX_INFLIGHT) {
						throw ex;
					}
					Thread.sleep(1);
				}
			}
		}
		catch (MqttException ex) {
			// a lost ACK: the publisher re-sends the reading
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** Disconnects; a second call does nothing. */
	@Override
	public synchronized void close() throws MqttException {
		if (this.answers.isShutdown()) {
			return;
		}
		this.answers.shutdownNow();
		try {
			// forcibly: after a broker restart a polite DISCONNECT may never be answered
			this.client.disconnectForcibly(0, 1000, false);
		}
		catch (MqttException ex) {
			// already disconnected: nobody to say goodbye to
		}
		this.client.close(true);
	}

	/**
	 * One reading as the broker delivered it.
	 *
	 * @param topic the topic it came on
	 * @param reading the reading
	 * @param number 1 for the first delivery of its seq, 2 for the second, …
	 * @param payload the bytes on the wire
	 * @param responseTopic where the publisher wants its ACK
	 * @param correlationData what the ACK must carry back
	 */
	record Delivery(String topic, Reading reading, int number, byte[] payload, String responseTopic,
			byte[] correlationData) {

		long seq() {
			return this.reading.seq();
		}

	}

}
