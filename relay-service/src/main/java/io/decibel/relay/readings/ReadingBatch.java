package io.decibel.relay.readings;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.integration.acks.SimpleAcknowledgment;
import org.springframework.messaging.Message;

/**
 * MQTT deliveries that arrived together, to be stored in one transaction and acknowledged after it.
 *
 * @param deliveries the deliveries as the inbound adapter made them
 * @param acknowledgments each delivery's acknowledgment, bound to the connection it came on ({@code null} for one
 * that needs none, a QoS 0 delivery); not the one in its headers, which would acknowledge on any connection
 */
record ReadingBatch(List<Message<?>> deliveries, List<@Nullable SimpleAcknowledgment> acknowledgments) {

	/** Acknowledges every delivery of the batch to the broker: once its outcome is committed. */
	void acknowledge() {
		for (SimpleAcknowledgment acknowledgment : this.acknowledgments) {
			if (acknowledgment != null) {
				acknowledgment.acknowledge();
			}
		}
	}

}
