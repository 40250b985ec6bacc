package io.decibel.publisher.publishing;

import java.time.Duration;

import io.decibel.contract.TelemetryCodec;
import io.decibel.mqtt.InFlightWindow;
import io.decibel.publisher.PublisherProperties;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.mqtt.core.Mqttv5ClientManager;
import org.springframework.integration.mqtt.outbound.Mqttv5PahoMessageHandler;

/** Readings out: from {@code readingsOutFlow.input} to the broker, on the service's one MQTT connection. */
@Configuration(proxyBeanMethods = false)
class ReadingsOutConfiguration {

	/**
	 * Longest wait for the broker's in-flight window ({@link InFlightWindow}); past it the reading is kept for
	 * re-sending. A refused reading would only wait in the outbox for its ACK timeout and go out as a re-send: the
	 * sender (the sampler, or the re-sender after an outage) waits for the window instead, which paces it to what the
	 * broker takes.
	 */
	private static final Duration IN_FLIGHT_PATIENCE = Duration.ofSeconds(10);

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
		return (flow) -> flow.handle(readingsOutbound,
				(e) -> e.id("publishReadings").advice(InFlightWindow.retryAdvice(IN_FLIGHT_PATIENCE)));
	}

	@Bean
	PendingReadings pendingReadings(PublisherProperties properties) {
		return new PendingReadings(properties.ackTimeout(), properties.outboxCapacity(), properties.outboxFull());
	}

	@Bean
	DurableOutbox durableOutbox(PublisherProperties properties, PendingReadings pendingReadings,
			TelemetryCodec codec) {
		return new DurableOutbox(properties.stateDir(), properties.deviceId(), pendingReadings, codec);
	}

}
