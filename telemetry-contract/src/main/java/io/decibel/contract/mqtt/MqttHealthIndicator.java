package io.decibel.contract.mqtt;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.integration.mqtt.core.Mqttv5ClientManager;

/** UP while the service's one MQTT connection is up; DOWN while the client is disconnected or reconnecting. */
class MqttHealthIndicator implements HealthIndicator {

	private final Mqttv5ClientManager clientManager;

	MqttHealthIndicator(Mqttv5ClientManager clientManager) {
		this.clientManager = clientManager;
	}

	@Override
	public Health health() {
		Health.Builder health = this.clientManager.isConnected() ? Health.up() : Health.down();
		return health.withDetail("broker", this.clientManager.getUrl())
			.withDetail("clientId", this.clientManager.getClientId())
			.build();
	}

}
