package io.decibel.relay.broker;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.decibel.mqtt.MessageCallback;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.integration.mqtt.core.Mqttv5ClientManager;
import org.springframework.stereotype.Component;

/**
 * How many messages the broker has dropped, all clients together, as the gauge
 * {@code decibel.broker.messages.dropped}: a reading dropped before it reached a relay is lost unless its device
 * re-sends it, and no relay sees it go. Mosquitto publishes the count on {@code $SYS/broker/publish/messages/dropped}
 * when it changes (checked every {@code sys_interval}), retained for 60 s only; the relay reads it on a connection of
 * its own (clean start, QoS 0, the relay's broker and credentials), so that the relay's session and health never
 * depend on it. A count that has not changed for a minute is not there to read: once the broker's other {@code $SYS}
 * values show that it publishes them ({@code $SYS/broker/uptime}, every interval), the gauge starts at 0 and takes
 * the broker's count at its next change. A broker that publishes no {@code $SYS} (HiveMQ CE), or refuses it to the
 * relay (EMQX, whose count is a Prometheus metric of its own), leaves the gauge absent.
 */
@Component
class BrokerDrops implements SmartLifecycle, MessageCallback {

	private static final Logger LOG = LoggerFactory.getLogger(BrokerDrops.class);

	static final String GAUGE = "decibel.broker.messages.dropped";

	private static final long RECONNECT_SECONDS = 5;

	/** Published by Mosquitto every {@code sys_interval}, changed or not. */
	static final String UPTIME_TOPIC = "$SYS/broker/uptime";

	private final Mqttv5ClientManager relayConnection;

	private final MeterRegistry registry;

	private final String topic;

	private final AtomicLong dropped = new AtomicLong();

	private final AtomicBoolean registered = new AtomicBoolean();

	private final AtomicBoolean refusalLogged = new AtomicBoolean();

	/** Whether the gauge holds a count the broker published (not the 0 it starts with). */
	private volatile boolean countKnown;

	private final AtomicBoolean connecting = new AtomicBoolean();

	private volatile MqttAsyncClient client;

	private volatile ScheduledExecutorService connector;

	BrokerDrops(Mqttv5ClientManager relayConnection, MeterRegistry registry, BrokerSettings settings) {
		this.relayConnection = relayConnection;
		this.registry = registry;
		this.topic = settings.droppedTopic();
	}

	@Override
	public void start() {
		if (this.topic == null || this.topic.isBlank()) {
			return;
		}
		MqttConnectionOptions relay = this.relayConnection.getConnectionInfo();
		MqttConnectionOptions options = new MqttConnectionOptions();
		options.setServerURIs(relay.getServerURIs());
		options.setUserName(relay.getUserName());
		options.setPassword(relay.getPassword());
		options.setSocketFactory(relay.getSocketFactory());
		options.setHttpsHostnameVerificationEnabled(relay.isHttpsHostnameVerificationEnabled());
		options.setKeepAliveInterval(relay.getKeepAliveInterval());
		options.setConnectionTimeout(relay.getConnectionTimeout());
		options.setCleanStart(true);
		try {
			this.client = new MqttAsyncClient(relay.getServerURIs()[0], this.relayConnection.getClientId() + "-sys",
					new MemoryPersistence());
		}
		catch (MqttException ex) {
			LOG.warn("Cannot read the broker's drop count on {}: {}", this.topic, ex.toString());
			return;
		}
		this.client.setCallback(this);
		// (re)connects from here rather than by Paho's automatic reconnection, which does not retry a first connection
		// that fails (a broker not up yet)
		this.connector = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "broker-drops");
			thread.setDaemon(true);
			return thread;
		});
		this.connector.scheduleWithFixedDelay(() -> connect(options), 0, RECONNECT_SECONDS, TimeUnit.SECONDS);
	}

	private void connect(MqttConnectionOptions options) {
		MqttAsyncClient current = this.client;
		if (current == null || current.isConnected() || !this.connecting.compareAndSet(false, true)) {
			return;
		}
		try {
			current.connect(options, null, new MqttActionListener() {

				@Override
				public void onSuccess(IMqttToken token) {
					BrokerDrops.this.connecting.set(false);
				}

				@Override
				public void onFailure(IMqttToken token, Throwable failure) {
					BrokerDrops.this.connecting.set(false);
					LOG.debug("No connection for the broker's drop count: {}", failure.toString());
				}

			});
		}
		catch (MqttException | RuntimeException ex) {
			this.connecting.set(false);
			LOG.debug("No connection for the broker's drop count: {}", ex.toString());
		}
	}

	@Override
	public void connectComplete(boolean reconnect, String serverURI) {
		LOG.debug("Connected for the broker's drop count, subscribing to {}", this.topic);
		try {
			this.client.subscribe(
					new MqttSubscription[] { new MqttSubscription(this.topic, 0), new MqttSubscription(UPTIME_TOPIC, 0) },
					null,
					new MqttActionListener() {

						@Override
						public void onSuccess(IMqttToken token) {
							int[] codes = token.getReasonCodes();
							LOG.debug("Subscribed to {}: {}", BrokerDrops.this.topic, Arrays.toString(codes));
							if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
								refused("reason code 0x" + Integer.toHexString(codes[0]));
							}
						}

						@Override
						public void onFailure(IMqttToken token, Throwable failure) {
							refused(failure.toString());
						}

					}, new MqttProperties());
		}
		catch (MqttException ex) {
			refused(ex.toString());
		}
	}

	private void refused(String why) {
		if (this.refusalLogged.compareAndSet(false, true)) {
			LOG.info("The broker does not let the relay read {} ({}): no {} gauge", this.topic, why, GAUGE);
		}
	}

	@Override
	public void messageArrived(String topic, MqttMessage message) {
		if (UPTIME_TOPIC.equals(topic)) {
			// retained values come right after the SUBACK: a count there would have arrived before this
			if (register()) {
				LOG.info("The broker publishes $SYS, and its drop count ({}) has not changed in the last minute: {} "
						+ "starts at 0 and takes the broker's count at its next change", this.topic, GAUGE);
			}
			return;
		}
		String text = new String(message.getPayload(), StandardCharsets.US_ASCII).strip();
		long count;
		try {
			count = Long.parseLong(text);
		}
		catch (NumberFormatException ex) {
			LOG.debug("Not a count on {}: {}", topic, text);
			return;
		}
		long before = this.dropped.getAndSet(count);
		boolean known = this.countKnown;
		this.countKnown = true;
		if (register() || !known) {
			LOG.info("The broker reports {} dropped messages since it started ({})", count, topic);
		}
		else if (count > before) {
			LOG.warn("The broker dropped {} messages ({} since it started): readings among them are lost unless their "
					+ "devices re-send them", count - before, count);
		}
	}

	/** Registers the gauge once; whether this call did. */
	private boolean register() {
		if (!this.registered.compareAndSet(false, true)) {
			return false;
		}
		Gauge.builder(GAUGE, this.dropped, AtomicLong::get)
			.description("Messages the broker dropped since it started, all clients (its queue or in-flight limits): "
					+ "readings among them are lost unless their devices re-send them")
			.register(this.registry);
		return true;
	}

	@Override
	public void stop() {
		ScheduledExecutorService connector = this.connector;
		if (connector != null) {
			connector.shutdownNow();
		}
		MqttAsyncClient current = this.client;
		this.client = null;
		if (current == null) {
			return;
		}
		try {
			if (current.isConnected()) {
				current.disconnect(1_000).waitForCompletion(2_000);
			}
		}
		catch (MqttException ex) {
			// closing anyway
		}
		try {
			current.close(true);
		}
		catch (MqttException ex) {
			// nothing left to do
		}
	}

	@Override
	public boolean isRunning() {
		return this.client != null;
	}

	@Override
	public void disconnected(MqttDisconnectResponse response) {
		LOG.debug("Connection for the broker's drop count lost: {}", response);
	}

}
