package io.decibel.mqtt;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the broker answered the client's subscriptions on its current connection. A SUBACK carries a reason code per
 * topic filter: below {@code 0x80} the QoS granted, from {@code 0x80} a refusal (not authorized, a shared
 * subscription the broker does not support, a quota). A topic filter counts as subscribed when the broker granted it
 * the QoS asked for: a broker that grants less (Mosquitto's {@code max_qos 0}) would send at most once what the
 * service acknowledges only once it has handled it — a reading lost in a restart, never sent again. A new connection
 * starts with none.
 */
final class Subscriptions {

	private static final Logger LOG = LoggerFactory.getLogger(Subscriptions.class);

	private static final int FIRST_REFUSAL = 0x80;

	private final ConnectionEpoch connection;

	/** The connection the state below belongs to. */
	private long epoch = -1;

	/** The topic filters granted the QoS asked for on that connection. */
	private final Set<String> granted = new HashSet<>();

	private @Nullable String refusal;

	Subscriptions(ConnectionEpoch connection) {
		this.connection = connection;
	}

	/** The connection a subscription about to be sent belongs to. */
	long current() {
		return this.connection.current();
	}

	/** The broker's SUBACK to a subscription sent on the given connection. */
	synchronized void answered(long epoch, MqttSubscription[] subscriptions, int @Nullable [] reasonCodes) {
		if (epoch != this.connection.current()) {
			return;
		}
		on(epoch);
		String refused = refused(subscriptions, reasonCodes);
		if (refused == null) {
			Arrays.stream(subscriptions).map(MqttSubscription::getTopic).forEach(this.granted::add);
			return;
		}
		this.refusal = refused;
		LOG.warn("The MQTT broker refused a subscription: {}; not ready until it is granted", refused);
	}

	/** The subscription could not be made on the given connection: no SUBACK, or the request failed. */
	synchronized void failed(long epoch, MqttSubscription[] subscriptions, Throwable failure) {
		if (epoch != this.connection.current()) {
			return;
		}
		on(epoch);
		this.refusal = topics(subscriptions) + " failed: " + failure.getMessage();
	}

	/** Whether every expected topic filter was granted on the current connection, and none refused. */
	synchronized boolean granted(Collection<String> expected) {
		on(this.connection.current());
		return this.refusal == null && this.granted.containsAll(expected);
	}

	/** The expected topic filters not granted (yet) on the current connection. */
	synchronized List<String> missing(Collection<String> expected) {
		on(this.connection.current());
		return expected.stream().filter((filter) -> !this.granted.contains(filter)).sorted().toList();
	}

	/** Why a subscription of the current connection is not in place, or {@code null}. */
	synchronized @Nullable String refusal() {
		on(this.connection.current());
		return this.refusal;
	}

	private void on(long epoch) {
		if (epoch != this.epoch) {
			this.epoch = epoch;
			this.granted.clear();
			this.refusal = null;
		}
	}

	private static @Nullable String refused(MqttSubscription[] subscriptions, int @Nullable [] reasonCodes) {
		if (reasonCodes == null || reasonCodes.length == 0) {
			return topics(subscriptions) + ": the SUBACK carried no reason code";
		}
		for (int i = 0; i < reasonCodes.length; i++) {
			String topic = (i < subscriptions.length) ? subscriptions[i].getTopic() : topics(subscriptions);
			if (reasonCodes[i] >= FIRST_REFUSAL) {
				return String.format("%s refused with reason code 0x%02X", topic, reasonCodes[i]);
			}
			int asked = (i < subscriptions.length) ? subscriptions[i].getQos() : 0;
			if (reasonCodes[i] < asked) {
				return String.format("%s granted QoS %d, asked for QoS %d: deliveries could be lost", topic,
						reasonCodes[i], asked);
			}
		}
		return null;
	}

	private static String topics(MqttSubscription[] subscriptions) {
		return Arrays.toString(Arrays.stream(subscriptions).map(MqttSubscription::getTopic).toArray());
	}

}
