package io.decibel.mqtt;

import java.util.Arrays;

import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the broker answered the client's subscriptions on its current connection. A SUBACK carries a reason code per
 * topic filter: below {@code 0x80} the QoS granted, from {@code 0x80} a refusal (not authorized, a shared
 * subscription the broker does not support, a quota). A subscription counts when every filter of it was granted; a
 * new connection starts with none.
 */
final class Subscriptions {

	private static final Logger LOG = LoggerFactory.getLogger(Subscriptions.class);

	private static final int FIRST_REFUSAL = 0x80;

	private final ConnectionEpoch connection;

	/** The connection the counts below belong to. */
	private long epoch = -1;

	private int granted;

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
			this.granted++;
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

	/**
	 * Whether at least {@code expected} subscriptions were granted on the current connection, and none refused.
	 */
	synchronized boolean granted(int expected) {
		on(this.connection.current());
		return this.refusal == null && this.granted >= expected;
	}

	/** Why a subscription of the current connection is not in place, or {@code null}. */
	synchronized @Nullable String refusal() {
		on(this.connection.current());
		return this.refusal;
	}

	private void on(long epoch) {
		if (epoch != this.epoch) {
			this.epoch = epoch;
			this.granted = 0;
			this.refusal = null;
		}
	}

	private static @Nullable String refused(MqttSubscription[] subscriptions, int @Nullable [] reasonCodes) {
		if (reasonCodes == null || reasonCodes.length == 0) {
			return topics(subscriptions) + ": the SUBACK carried no reason code";
		}
		for (int i = 0; i < reasonCodes.length; i++) {
			if (reasonCodes[i] >= FIRST_REFUSAL) {
				String topic = (i < subscriptions.length) ? subscriptions[i].getTopic() : topics(subscriptions);
				return String.format("%s refused with reason code 0x%02X", topic, reasonCodes[i]);
			}
		}
		return null;
	}

	private static String topics(MqttSubscription[] subscriptions) {
		return Arrays.toString(Arrays.stream(subscriptions).map(MqttSubscription::getTopic).toArray());
	}

}
