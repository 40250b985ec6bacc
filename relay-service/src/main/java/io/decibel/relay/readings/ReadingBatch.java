package io.decibel.relay.readings;

import java.util.List;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.integration.acks.SimpleAcknowledgment;
import org.springframework.messaging.Message;

/**
 * MQTT deliveries that arrived together, to be stored in one transaction and acknowledged to the broker after it —
 * once their replies are written too, on the connection the PUBACKs go out on: a delivery acknowledged before its
 * answer is on the wire would leave a device that does not re-send without an answer, should the connection end or
 * the relay stop in between (the broker never delivers it again).
 */
final class ReadingBatch {

	private final List<Message<?>> deliveries;

	private final List<@Nullable SimpleAcknowledgment> acknowledgments;

	private final Supplier<Replies> newReplies;

	private volatile boolean committed;

	private volatile Replies replies;

	/**
	 * @param deliveries the deliveries as the inbound adapter made them
	 * @param acknowledgments each delivery's acknowledgment, bound to the connection it came on (for a QoS 0
	 * delivery, one that sends nothing); not the one in its headers, which would acknowledge on any connection
	 * @param newReplies the replies of an attempt at the batch, bound to the connection its PUBACKs go out on
	 */
	ReadingBatch(List<Message<?>> deliveries, List<@Nullable SimpleAcknowledgment> acknowledgments,
			Supplier<Replies> newReplies) {
		this.deliveries = deliveries;
		this.acknowledgments = acknowledgments;
		this.newReplies = newReplies;
		this.replies = newReplies.get();
	}

	/** An attempt at the batch begins: its replies so far are forgotten. */
	void attempt() {
		this.committed = false;
		this.replies = this.newReplies.get();
	}

	/** The replies of the current attempt. */
	Replies replies() {
		return this.replies;
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
