package io.decibel.publisher.acks;

import io.decibel.contract.Ack;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.publisher.PublisherProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.mqtt.core.Mqttv5ClientManager;
import org.springframework.integration.mqtt.inbound.Mqttv5PahoMessageDrivenChannelAdapter;
import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.messaging.MessagingException;

/**
 * ACKs in: from the device's ACK topic, decoded, to the {@link AckCorrelator}; what cannot be read goes to
 * {@code ackErrorsFlow}, which reports it and lets the flow carry on.
 */
@Configuration(proxyBeanMethods = false)
class AcksInConfiguration {

	private static final Logger LOG = LoggerFactory.getLogger(AcksInConfiguration.class);

	static final String ACK_ERRORS = "ackErrors";

	@Bean
	Mqttv5PahoMessageDrivenChannelAdapter acksInbound(Mqttv5ClientManager clientManager, Topics topics,
			PublisherProperties properties) {
		Mqttv5PahoMessageDrivenChannelAdapter adapter = new Mqttv5PahoMessageDrivenChannelAdapter(clientManager,
				topics.acks(properties.deviceId()));
		adapter.setQos(1);
		adapter.setErrorChannelName(ACK_ERRORS);
		return adapter;
	}

	@Bean
	IntegrationFlow acksInFlow(Mqttv5PahoMessageDrivenChannelAdapter acksInbound, TelemetryCodec codec,
			AckCorrelator correlator) {
		return IntegrationFlow.from(acksInbound)
			.transformWith((t) -> t.<byte[], Ack>transformer(codec::decodeAck)
				.expectedType(byte[].class)
				.id("decodeAcks"))
			.handle(Ack.class, (ack, headers) -> {
				correlator.correlate(ack, headers.get(MqttHeaders.CORRELATION_DATA, byte[].class));
				return null;
			}, (e) -> e.id("correlateAcks"))
			.get();
	}

	@Bean
	IntegrationFlow ackErrorsFlow() {
		return IntegrationFlow.from(ACK_ERRORS)
			.handle(MessagingException.class, (failure, headers) -> {
				Object topic = (failure.getFailedMessage() != null)
						? failure.getFailedMessage().getHeaders().get(MqttHeaders.RECEIVED_TOPIC) : null;
				// an expected condition (a stray or broken payload): the reason, no stack trace
				LOG.warn("Unreadable ACK on {}: {}", topic, reason(failure));
				return null;
			}, (e) -> e.id("reportUnreadableAcks"))
			.get();
	}

	/** What went wrong in the ACK's own terms, past the messaging wrappers; first line only. */
	private static String reason(Throwable failure) {
		Throwable cause = failure;
		while (cause instanceof MessagingException && cause.getCause() != null) {
			cause = cause.getCause();
		}
		String message = (cause.getMessage() != null) ? cause.getMessage() : cause.getClass().getSimpleName();
		return message.lines().findFirst().orElse(message);
	}

}
