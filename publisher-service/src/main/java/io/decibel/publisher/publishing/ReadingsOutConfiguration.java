package io.decibel.publisher.publishing;

import io.decibel.publisher.PublisherProperties;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.mqtt.core.Mqttv5ClientManager;
import org.springframework.integration.mqtt.outbound.Mqttv5PahoMessageHandler;

/** Readings out: from {@code readingsOutFlow.input} to the broker, on the service's one MQTT connection. */
@Configuration(proxyBeanMethods = false)
class ReadingsOutConfiguration {

	@Bean
	Mqttv5PahoMessageHandler readingsOutbound(Mqttv5ClientManager clientManager) {
		Mqttv5PahoMessageHandler handler = new Mqttv5PahoMessageHandler(clientManager);
		// hand the reading to the client and move on: the relay's ACK, not the PUBACK, says it arrived
		handler.setAsync(true);
		handler.setDefaultQos(1);
		return handler;
	}

	@Bean
	IntegrationFlow readingsOutFlow(Mqttv5PahoMessageHandler readingsOutbound) {
		return (flow) -> flow.handle(readingsOutbound, (e) -> e.id("publishReadings"));
	}

	@Bean
	PendingReadings pendingReadings(PublisherProperties properties) {
		return new PendingReadings(properties.ackTimeout());
	}

	@Bean
	SequenceStore sequenceStore(PublisherProperties properties) {
		return new SequenceStore(properties.stateDir(), properties.deviceId());
	}

}
