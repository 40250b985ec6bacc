package io.decibel.relay;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.testsupport.TestInfrastructure;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * Devices that publish each reading once and never again, whatever becomes of it: plain Paho clients, straight on
 * the broker, with a Response Topic and Correlation Data ({@code deviceId:seq}) on each reading; they count the
 * readings answered.
 */
final class OnceDevices implements AutoCloseable {

	private final Topics topics;

	private final List<MqttClient> clients = new ArrayList<>();

	private final List<String> deviceIds = new ArrayList<>();

	private final Set<String> answered = ConcurrentHashMap.newKeySet();

	private final TelemetryCodec codec = new TelemetryCodec();

	private OnceDevices(Topics topics) {
		this.topics = topics;
	}

	static OnceDevices connect(Topics topics, int count, String prefix) throws MqttException {
		return connect(TestInfrastructure.mqttUrl(), topics, count, prefix);
	}

	/** On the broker at {@code brokerUrl}. */
	static OnceDevices connect(String brokerUrl, Topics topics, int count, String prefix) throws MqttException {
		OnceDevices devices = new OnceDevices(topics);
		for (int i = 0; i < count; i++) {
			String deviceId = prefix + "-" + i;
			MqttClient client = new MqttClient(brokerUrl, TestInfrastructure.uniqueName(prefix),
					new MemoryPersistence());
			client.connect();
			IMqttMessageListener listener = (topic, message) -> {
				byte[] correlation = message.getProperties().getCorrelationData();
				if (correlation != null) {
					devices.answered.add(new String(correlation, StandardCharsets.UTF_8));
				}
			};
			client.subscribe(new MqttSubscription[] { new MqttSubscription(topics.acks(deviceId), 1) },
					new IMqttMessageListener[] { listener });
			devices.clients.add(client);
			devices.deviceIds.add(deviceId);
		}
		return devices;
	}

	/** Each device publishes readings 1 to {@code perDevice}, once each, all devices at once. */
	void publish(int perDevice) throws Exception {
		ExecutorService threads = Executors.newFixedThreadPool(this.clients.size());
		try {
			List<Future<?>> done = new ArrayList<>();
			for (int i = 0; i < this.clients.size(); i++) {
				MqttClient client = this.clients.get(i);
				String deviceId = this.deviceIds.get(i);
				done.add(threads.submit(() -> {
					for (long seq = 1; seq <= perDevice; seq++) {
						publishOnce(client, deviceId, seq);
					}
					return null;
				}));
			}
			for (Future<?> each : done) {
				each.get();
			}
		}
		finally {
			threads.shutdownNow();
		}
	}

	private void publishOnce(MqttClient client, String deviceId, long seq) throws Exception {
		MqttMessage message = new MqttMessage(this.codec.encode(RelayTests.reading(deviceId, seq)));
		message.setQos(1);
		MqttProperties properties = new MqttProperties();
		properties.setResponseTopic(this.topics.acks(deviceId));
		properties.setCorrelationData((deviceId + ":" + seq).getBytes(StandardCharsets.UTF_8));
		message.setProperties(properties);
		while (true) {
			try {
				client.publish(this.topics.readings(deviceId), message);
				return;
			}
			catch (MqttException ex) {
				// Paho refuses, rather than queues, a publish while the broker's in-flight window is full
				if (ex.getReasonCode() != MqttClientException.REASON_CODE_MAX_INFLIGHT) {
					throw ex;
				}
				Thread.sleep(1);
			}
		}
	}

	/** How many distinct readings have been answered. */
	int answered() {
		return this.answered.size();
	}

	@Override
	public void close() throws MqttException {
		for (MqttClient client : this.clients) {
			if (client.isConnected()) {
				client.disconnect();
			}
			client.close();
		}
	}

}
