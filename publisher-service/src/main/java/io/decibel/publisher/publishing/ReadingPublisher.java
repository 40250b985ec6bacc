package io.decibel.publisher.publishing;

import io.decibel.contract.Reading;
import io.decibel.contract.ReadingIdentity;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.publisher.PublisherProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.mqtt.core.Mqttv5ClientManager;
import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessagingException;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.stereotype.Component;

/**
 * Sends a reading into {@code readingsOutFlow} as an MQTT 5 request: the relay answers on the Response Topic with the
 * send's Correlation Data ({@link Correlation}: seq, reading, send). A reading that cannot be sent stays pending; it is
 * never an error of the caller.
 */
@Component
class ReadingPublisher {

	private static final Logger LOG = LoggerFactory.getLogger(ReadingPublisher.class);

	private final IntegrationFlow readingsOutFlow;

	private final Mqttv5ClientManager clientManager;

	private final PendingReadings pending;

	private final TelemetryCodec codec;

	private final String readingsTopic;

	private final String acksTopic;

	ReadingPublisher(@Qualifier("readingsOutFlow") IntegrationFlow readingsOutFlow,
			Mqttv5ClientManager clientManager, PendingReadings pending, TelemetryCodec codec, Topics topics,
			PublisherProperties properties) {
		this.readingsOutFlow = readingsOutFlow;
		this.clientManager = clientManager;
		this.pending = pending;
		this.codec = codec;
		this.readingsTopic = topics.readings(properties.deviceId());
		this.acksTopic = topics.acks(properties.deviceId());
	}

	/** @return whether the reading was handed to the MQTT client */
	boolean send(Reading reading) {
		// the outbound handler would block this thread in its own connect loop while the broker is away;
		// the client manager reconnects by itself, and the reading waits in the pending set meanwhile
		if (!this.clientManager.isConnected()) {
			return false;
		}
		// recorded first: the ACK can be back before the client returns
		PendingReadings.Send send = this.pending.sent(reading.seq(), System.nanoTime());
		ReadingIdentity identity = (send.identity() != null) ? send.identity() : ReadingIdentity.of(reading);
		Message<byte[]> message = MessageBuilder.withPayload(this.codec.encode(reading))
			.setHeader(MqttHeaders.TOPIC, this.readingsTopic)
			.setHeader(MqttHeaders.RESPONSE_TOPIC, this.acksTopic)
			.setHeader(MqttHeaders.CORRELATION_DATA, Correlation.of(reading.seq(), identity, send.number()))
			.setHeader(MqttHeaders.QOS, 1)
			.build();
		try {
			this.readingsOutFlow.getInputChannel().send(message);
			return true;
		}
		catch (MessagingException ex) {
			this.pending.notSent(send);
			LOG.debug("Could not send seq={}: {}", reading.seq(),
					NestedExceptionUtils.getMostSpecificCause(ex).getMessage());
			return false;
		}
	}

}
