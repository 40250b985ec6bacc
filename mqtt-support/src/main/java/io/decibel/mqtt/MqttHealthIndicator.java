package io.decibel.mqtt;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.integration.mqtt.core.Mqttv5ClientManager;

/**
 * UP while the service's one MQTT connection is up and the broker has granted its subscriptions on it: a service
 * connected but not subscribed receives nothing. DOWN while the client is disconnected or reconnecting, and from a
 * new connection until every inbound adapter's SUBACK has come with a granted QoS.
 */
class MqttHealthIndicator implements HealthIndicator {

	private final Mqttv5ClientManager clientManager;

	MqttHealthIndicator(Mqttv5ClientManager clientManager) {
		this.clientManager = clientManager;
	}

	@Override
	public Health health() {
		boolean connected = this.clientManager.isConnected();
		Health.Builder health;
		if (this.clientManager instanceof SessionResumingClientManager manager) {
			boolean subscribed = connected && manager.isSubscribed();
			health = subscribed ? Health.up() : Health.down();
			String refusal = manager.subscriptionRefusal();
			health.withDetail("subscriptions",
					!connected ? "none (disconnected)"
							: subscribed ? "granted" : (refusal != null) ? refusal : "waiting for the SUBACK");
		}
		else {
			health = connected ? Health.up() : Health.down();
		}
		return health.withDetail("broker", this.clientManager.getUrl())
			.withDetail("clientId", this.clientManager.getClientId())
			.build();
	}

}
