package io.decibel.mqtt;

import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.integration.mqtt.core.Mqttv5ClientManager;

/**
 * UP while the service's one MQTT connection is up and the broker has granted its subscriptions on it: a service
 * connected but not subscribed receives nothing. DOWN while the client is disconnected or reconnecting, and from a
 * new connection until the topic filter of every inbound adapter the service has is granted the QoS it asked for —
 * an adapter that has not subscribed yet (not started, or its subscription still on the way) counts as not
 * subscribed, not as nothing to wait for.
 */
class MqttHealthIndicator implements HealthIndicator {

	private final Mqttv5ClientManager clientManager;

	private final Supplier<Collection<String>> expectedTopicFilters;

	/**
	 * @param expectedTopicFilters the topic filters of the service's inbound adapters, each of which must be granted
	 */
	MqttHealthIndicator(Mqttv5ClientManager clientManager, Supplier<Collection<String>> expectedTopicFilters) {
		this.clientManager = clientManager;
		this.expectedTopicFilters = expectedTopicFilters;
	}

	@Override
	public Health health() {
		boolean connected = this.clientManager.isConnected();
		Health.Builder health;
		if (this.clientManager instanceof SessionResumingClientManager manager) {
			Collection<String> expected = this.expectedTopicFilters.get();
			boolean subscribed = connected && manager.isSubscribed(expected);
			health = subscribed ? Health.up() : Health.down();
			health.withDetail("subscriptions", subscriptions(manager, connected, subscribed, expected));
		}
		else {
			health = connected ? Health.up() : Health.down();
		}
		return health.withDetail("broker", this.clientManager.getUrl())
			.withDetail("clientId", this.clientManager.getClientId())
			.build();
	}

	private static String subscriptions(SessionResumingClientManager manager, boolean connected, boolean subscribed,
			Collection<String> expected) {
		if (!connected) {
			return "none (disconnected)";
		}
		if (subscribed) {
			return expected.isEmpty() ? "none expected" : "granted " + expected.stream().sorted().toList();
		}
		String refusal = manager.subscriptionRefusal();
		if (refusal != null) {
			return refusal;
		}
		List<String> missing = manager.notSubscribed(expected);
		return "waiting for the SUBACK of " + missing;
	}

}
