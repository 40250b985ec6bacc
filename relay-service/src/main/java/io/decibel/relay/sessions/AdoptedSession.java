package io.decibel.relay.sessions;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.decibel.mqtt.MessageCallback;
import io.decibel.relay.sessions.SessionSettings.HandOver;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.integration.IntegrationMessageHeaderAccessor;
import org.springframework.integration.acks.SimpleAcknowledgment;
import org.springframework.integration.mqtt.support.MqttHeaderMapper;
import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.MessageChannel;

/**
 * A gone relay's session, taken over with its client id (clean start off) and ended. {@link HandOver#DRAIN}: the
 * shared subscription is dropped, so the broker gives the session nothing new, and what it held for the gone relay
 * comes in, goes the way of every reading ({@code readingDeliveries}: stored, answered, acknowledged after the
 * commit), until nothing more comes and everything is acknowledged; then the session ends (DISCONNECT with session
 * expiry 0). {@link HandOver#END}: the session ends at once, and the broker gives what it held to the live members.
 */
final class AdoptedSession implements MessageCallback {

	private static final Logger LOG = LoggerFactory.getLogger(AdoptedSession.class);

	private static final long WAIT_MILLIS = 10_000;

	private final String clientId;

	private final MqttConnectionOptions options;

	private final String sharedTopic;

	private final MessageChannel deliveries;

	private final SessionSettings settings;

	private final MqttHeaderMapper headerMapper = new MqttHeaderMapper();

	private final AtomicLong arrived = new AtomicLong();

	private final AtomicLong acknowledged = new AtomicLong();

	private volatile long lastArrivalNanos;

	private volatile MqttAsyncClient client;

	AdoptedSession(String clientId, MqttConnectionOptions options, String sharedTopic, MessageChannel deliveries,
			SessionSettings settings) {
		this.clientId = clientId;
		this.options = options;
		this.sharedTopic = sharedTopic;
		this.deliveries = deliveries;
		this.settings = settings;
	}

	/**
	 * Takes the session over and ends it. True when it is ended, false when it is left in the broker for another
	 * attempt (the broker refused, or the drain did not finish within its limit).
	 */
	boolean handOver(Runnable beat) throws InterruptedException {
		try {
			MqttAsyncClient client = new MqttAsyncClient(this.options.getServerURIs()[0], this.clientId,
					new MemoryPersistence());
			this.client = client;
			client.setManualAcks(true);
			client.setCallback(this);
			this.lastArrivalNanos = System.nanoTime();
			IMqttToken connected = client.connect(this.options);
			connected.waitForCompletion(WAIT_MILLIS);
			if (!connected.getSessionPresent()) {
				LOG.info("Adopted session {}: the broker held nothing for it", this.clientId);
				return end(client);
			}
			if (this.settings.handOver() == HandOver.END) {
				LOG.info("Adopted session {}: ended, the broker hands what it held to the live relays", this.clientId);
				return end(client);
			}
			client.unsubscribe(this.sharedTopic).waitForCompletion(WAIT_MILLIS);
			long limit = System.nanoTime() + this.settings.drainLimit().toNanos();
			long quietNanos = this.settings.drainQuiet().toNanos();
			long nextBeat = System.nanoTime();
			while (System.nanoTime() - limit < 0) {
				if (System.nanoTime() - nextBeat >= 0) {
					beat.run();
					nextBeat = System.nanoTime() + this.settings.heartbeat().toNanos();
				}
				boolean settled = this.acknowledged.get() == this.arrived.get();
				if (settled && System.nanoTime() - this.lastArrivalNanos > quietNanos) {
					LOG.info("Adopted session {}: {} readings the broker held for it stored and acknowledged; ended",
							this.clientId, this.acknowledged.get());
					return end(client);
				}
				TimeUnit.MILLISECONDS.sleep(100);
			}
			LOG.warn("Adopted session {}: {} of {} readings acknowledged within {}; left for another attempt",
					this.clientId, this.acknowledged.get(), this.arrived.get(), this.settings.drainLimit());
			client.disconnect(WAIT_MILLIS).waitForCompletion(WAIT_MILLIS);
			return false;
		}
		catch (MqttException ex) {
			LOG.warn("Adopting session {} failed: {}; left for another attempt", this.clientId, ex.toString());
			return false;
		}
		finally {
			close();
		}
	}

	private static boolean end(MqttAsyncClient client) throws MqttException {
		MqttProperties properties = new MqttProperties();
		properties.setSessionExpiryInterval(0L);
		client.disconnect(WAIT_MILLIS, null, null, 0, properties).waitForCompletion(WAIT_MILLIS);
		return true;
	}

	private void close() {
		MqttAsyncClient client = this.client;
		if (client == null) {
			return;
		}
		try {
			if (client.isConnected()) {
				client.disconnectForcibly(0, 1000, false);
			}
			client.close(true);
		}
		catch (MqttException ex) {
			// nothing more to do: the broker keeps the session for another attempt
		}
	}

	/** On Paho's callback thread: into the relay's way for readings, which never waits. */
	@Override
	public void messageArrived(String topic, MqttMessage message) {
		this.arrived.incrementAndGet();
		this.lastArrivalNanos = System.nanoTime();
		if (this.settings.handOver() == HandOver.END) {
			// not taken: the broker hands it to a live relay when the session ends
			return;
		}
		MqttAsyncClient client = this.client;
		int id = message.getId();
		int qos = message.getQos();
		SimpleAcknowledgment acknowledgment = () -> {
			try {
				client.messageArrivedComplete(id, qos);
				this.acknowledged.incrementAndGet();
			}
			catch (MqttException ex) {
				LOG.warn("Adopted session {}: could not acknowledge a delivery: {}", this.clientId, ex.toString());
			}
		};
		this.deliveries.send(MessageBuilder.withPayload(message.getPayload())
			.copyHeaders(this.headerMapper.toHeaders(message.getProperties()))
			.setHeader(MqttHeaders.RECEIVED_TOPIC, topic)
			.setHeader(MqttHeaders.RECEIVED_QOS, qos)
			.setHeader(MqttHeaders.ID, id)
			.setHeader(MqttHeaders.DUPLICATE, message.isDuplicate())
			.setHeader(IntegrationMessageHeaderAccessor.ACKNOWLEDGMENT_CALLBACK, acknowledgment)
			.build());
	}

}
