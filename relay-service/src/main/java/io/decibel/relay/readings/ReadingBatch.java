package io.decibel.relay.readings;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.integration.acks.SimpleAcknowledgment;
import org.springframework.messaging.Message;

/**
 * MQTT deliveries that arrived together, to be stored in one transaction and acknowledged to the broker after it —
 * once their replies are out too: a delivery acknowledged before its ACK reached the MQTT client would leave a device
 * that does not re-send without an answer, should the relay stop in between (the broker never delivers it again).
 */
final class ReadingBatch {

	private final List<Message<?>> deliveries;

	private final List<@Nullable SimpleAcknowledgment> acknowledgments;

	private volatile boolean committed;

	/**
	 * @param deliveries the deliveries as the inbound adapter made them
	 * @param acknowledgments each delivery's acknowledgment, bound to the connection it came on ({@code null} for one
	 * that needs none, a QoS 0 delivery); not the one in its headers, which would acknowledge on any connection
	 */
	ReadingBatch(List<Message<?>> deliveries, List<@Nullable SimpleAcknowledgment> acknowledgments) {
		this.deliveries = deliveries;
		this.acknowledgments = acknowledgments;
	}

	List<Message<?>> deliveries() {
		return this.deliveries;
	}

	/** The outcome of every delivery is committed: they are acknowledged once their replies are out. */
	void committed() {
		this.committed = true;
	}

	boolean isCommitted() {
		return this.committed;
	}

	/** Acknowledges every delivery of the batch to the broker. */
	void acknowledge() {
		for (SimpleAcknowledgment acknowledgment : this.acknowledgments) {
			if (acknowledgment != null) {
				acknowledgment.acknowledge();
			}
		}
	}

}
