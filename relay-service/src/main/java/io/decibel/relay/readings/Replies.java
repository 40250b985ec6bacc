package io.decibel.relay.readings;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.decibel.mqtt.ConnectionEpoch;
import org.eclipse.paho.mqttv5.client.IMqttToken;

/**
 * The replies of one attempt at a batch, as they are handed to the MQTT client: what the batch's PUBACKs wait for.
 * A reply's token completes once Paho has written it to the socket, and a PUBACK queued after that goes out after it
 * on the same connection — so a delivery is never settled with the broker while its answer could still be lost with
 * the connection. Only the batch's connection counts: once it is gone, the deliveries cannot be acknowledged anyway
 * and the broker sends them again, to be answered then; their replies not written are counted, not waited for.
 */
final class Replies {

	/** The header that takes a batch's replies to the publisher. */
	static final String HEADER = "decibel_replies";

	private static final long LONGEST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

	private final ConnectionEpoch connection;

	private final long epoch;

	// on the writer's thread only: the flow publishes on it
	private final List<IMqttToken> tokens = new ArrayList<>();

	private int undelivered;

	/** @param epoch the connection the batch's deliveries came on, and its PUBACKs go out on */
	Replies(ConnectionEpoch connection, long epoch) {
		this.connection = connection;
		this.epoch = epoch;
	}

	/** Whether the batch's connection is still the client's, and up. */
	boolean isCurrent() {
		return this.connection.isCurrent(this.epoch);
	}

	void published(IMqttToken token) {
		this.tokens.add(token);
	}

	/** A reply not handed to the client because the batch's connection is gone. */
	void undelivered() {
		this.undelivered++;
	}

	/**
	 * Waits until every reply is written, or the batch's connection is gone.
	 * @return how many replies did not go out (the connection was gone)
	 * @throws ReplyFailedException when a reply failed while the batch's connection is up: the batch is not to be
	 * acknowledged, and is tried again
	 */
	int awaitWritten() {
		int undelivered = this.undelivered;
		for (IMqttToken token : this.tokens) {
			long pause = 10_000;
			while (!token.isComplete()) {
				if (!isCurrent()) {
					break;
				}
				LockSupport.parkNanos(pause);
				pause = Math.min(pause * 2, LONGEST_PAUSE_NANOS);
			}
			if (!token.isComplete() || token.getException() != null) {
				if (token.isComplete() && isCurrent()) {
					throw new ReplyFailedException(token.getException());
				}
				undelivered++;
			}
		}
		return undelivered;
	}

	/** A reply failed while its batch's connection is up. */
	static final class ReplyFailedException extends RuntimeException {

		ReplyFailedException(Throwable cause) {
			super("A reply could not be published while the connection is up: " + cause, cause);
		}

	}

}
