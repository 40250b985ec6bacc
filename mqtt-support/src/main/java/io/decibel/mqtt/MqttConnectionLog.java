package io.decibel.mqtt;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.event.EventListener;
import org.springframework.integration.mqtt.event.MqttConnectionFailedEvent;
import org.springframework.integration.mqtt.event.MqttSubscribedEvent;

/** One line when a service's subscription is in place, one when its connection fails: what an operator looks for. */
class MqttConnectionLog {

	private static final Logger LOG = LoggerFactory.getLogger(MqttConnectionLog.class);

	@EventListener
	void subscribed(MqttSubscribedEvent event) {
		LOG.info("{}", event.getMessage());
	}

	@EventListener
	void connectionFailed(MqttConnectionFailedEvent event) {
		Throwable cause = event.getCause();
		LOG.warn("MQTT connection failed, reconnecting: {}", (cause != null) ? cause.getMessage() : "connection lost");
	}

}
