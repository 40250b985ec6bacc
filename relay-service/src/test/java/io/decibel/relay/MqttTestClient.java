package io.decibel.relay;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.decibel.testsupport.TestInfrastructure;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** A plain MQTT 5 client, as any device or tool would use, to talk to the relay from a test. */
final class MqttTestClient implements AutoCloseable {

	record Received(String topic, String payload, byte[] correlationData) {

		String correlation() {
			return (this.correlationData != null) ? new String(this.correlationData, StandardCharsets.UTF_8) : null;
		}

	}

	private final MqttClient client;

	private MqttTestClient(MqttClient client) {
		this.client = client;
	}

	static MqttTestClient connect() throws MqttException {
		return connect(TestInfrastructure.mqttUrl());
	}

	static MqttTestClient connect(String url) throws MqttException {
		MqttClient client = new MqttClient(url, TestInfrastructure.uniqueName("test"), new MemoryPersistence());
		client.connect();
		return new MqttTestClient(client);
	}

	BlockingQueue<Received> subscribe(String topic) throws MqttException {
		BlockingQueue<Received> received = new LinkedBlockingQueue<>();
		IMqttMessageListener listener = (t, message) -> received.add(new Received(t,
				new String(message.getPayload(), StandardCharsets.UTF_8), message.getProperties().getCorrelationData()));
		// the array form: Paho v5's subscribe(String, int, listener) recurses forever
		this.client.subscribe(new MqttSubscription[] { new MqttSubscription(topic, 1) },
				new IMqttMessageListener[] { listener });
		return received;
	}

	void publish(String topic, byte[] payload, String responseTopic, String correlation)
			throws MqttException, InterruptedException {
		MqttMessage message = new MqttMessage(payload);
		message.setQos(1);
		MqttProperties properties = new MqttProperties();
		if (responseTopic != null) {
			properties.setResponseTopic(responseTopic);
		}
		if (correlation != null) {
			properties.setCorrelationData(correlation.getBytes(StandardCharsets.UTF_8));
		}
		message.setProperties(properties);
		for (int attempt = 1;; attempt++) {
			try {
				this.client.publish(topic, message);
				return;
			}
			catch (MqttException ex) {
				// Paho refuses, rather than queues, a publish while the broker's in-flight window is full
				if (ex.getReasonCode() != MqttClientException.REASON_CODE_MAX_INFLIGHT || attempt == 1000) {
					throw ex;
				}
				Thread.sleep(5);
			}
		}
	}

	/** A publish at QoS 0, as a device that does not keep to the contract's QoS 1 sends it. */
	void publishAtMostOnce(String topic, byte[] payload) throws MqttException {
		MqttMessage message = new MqttMessage(payload);
		message.setQos(0);
		this.client.publish(topic, message);
	}

	static Received next(BlockingQueue<Received> queue) throws InterruptedException {
		Received received = queue.poll(15, TimeUnit.SECONDS);
		if (received == null) {
			throw new AssertionError("Nothing arrived within 15 s");
		}
		return received;
	}

	@Override
	public void close() throws MqttException {
		this.client.disconnect();
		this.client.close();
	}

}
