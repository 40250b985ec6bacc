package io.decibel.mqtt;

import org.springframework.integration.mqtt.core.Mqttv5ClientManager;

/** Lets a service adjust the shared client manager before it connects, e.g. to acknowledge deliveries itself. */
@FunctionalInterface
public interface MqttClientManagerCustomizer {

	void customize(Mqttv5ClientManager clientManager);

}
