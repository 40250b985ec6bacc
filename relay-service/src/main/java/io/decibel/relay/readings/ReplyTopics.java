package io.decibel.relay.readings;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.decibel.contract.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a device's answer goes. A Response Topic is honoured only inside the device's own namespace,
 * {@code {root}/{deviceId}/…}: no client can direct one device's ACKs to another device, or to any other topic of the
 * system. Anything else (another device, a prefix such as {@code {root}/{deviceId}x/…}, a wildcard, the device's own
 * readings topic, which the relays subscribe to and would answer again for ever) is answered on the device's ACK
 * topic, counted ({@code decibel.relay.replies.redirected}) and logged once per device.
 */
final class ReplyTopics {

	static final int MAX_LOGGED_DEVICES = 1000;

	private static final Logger LOG = LoggerFactory.getLogger(ReplyTopics.class);

	private final Topics topics;

	private final Counter redirected;

	private final Set<String> logged = ConcurrentHashMap.newKeySet();

	ReplyTopics(Topics topics, MeterRegistry meters) {
		this.topics = topics;
		this.redirected = Counter.builder("decibel.relay.replies.redirected")
			.description("Answers sent to the device's ACK topic because its Response Topic lay outside the device's "
					+ "namespace")
			.register(meters);
	}

	/** The topic to answer a reading of the device on, given the Response Topic its request named, if any. */
	String replyTopic(String deviceId, @Nullable String responseTopic) {
		if (responseTopic == null) {
			return this.topics.acks(deviceId);
		}
		if (isInNamespace(deviceId, responseTopic)) {
			return responseTopic;
		}
		this.redirected.increment();
		if (this.logged.size() < MAX_LOGGED_DEVICES && this.logged.add(deviceId)) {
			LOG.warn("Device {} named the Response Topic '{}', outside its namespace: answering on {} (logged once "
					+ "per device)", deviceId, responseTopic, this.topics.acks(deviceId));
		}
		return this.topics.acks(deviceId);
	}

	boolean isInNamespace(String deviceId, String topic) {
		String namespace = this.topics.root() + "/" + deviceId + "/";
		return topic.startsWith(namespace) && topic.length() > namespace.length() && topic.indexOf('+') < 0
				&& topic.indexOf('#') < 0 && topic.indexOf('\u0000') < 0
				&& !topic.equals(this.topics.readings(deviceId));
	}

}
