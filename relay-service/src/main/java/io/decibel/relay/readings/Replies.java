package io.decibel.relay.readings;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.decibel.mqtt.ConnectionEpoch;
import org.eclipse.paho.mqttv5.client.IMqttAsyncClient;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.jspecify.annotations.Nullable;

/**
 * The replies of one attempt at a batch, as they are handed to the MQTT client: what the batch's PUBACKs wait for.
 * A reply is written once Paho has flushed it to the socket, and a PUBACK queued after that goes out after it
 * on the same connection — so a delivery is never settled with the broker while its answer could still be lost with
 * the connection. Only the batch's connection counts: once it is gone, the deliveries cannot be acknowledged anyway
 * and the broker sends them again, to be answered then; their replies not written are counted, not waited for.
 * <p>
 * Paho completes a token on its callback thread, and that thread may be waiting for room in
 * {@link ReadingBatcher#add} — for this very batch to be acknowledged. So a reply also counts as written once it has
 * left the client's pending tokens: Paho's sending thread takes a QoS 0 publish out of them as soon as it has
 * written and flushed it.
 */
final class Replies {

	/** The header that takes a batch's replies to the publisher. */
	static final String HEADER = "decibel_replies";

	private static final long LONGEST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

	private final ConnectionEpoch connection;

	private final long epoch;

	// on the writer's thread only: the flow publishes on it
	private final List<IMqttToken> tokens = new ArrayList<>();

	private @Nullable IMqttAsyncClient client;

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

	/** A reply handed to the client (the batch's connection's, while it is current). */
	void published(IMqttAsyncClient client, IMqttToken token) {
		this.client = client;
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
		Set<IMqttToken> pending = null;
		for (IMqttToken token : this.tokens) {
			long pause = 10_000;
			boolean written = token.isComplete();
			while (!written) {
				if (pending == null) {
					pending = pending();
				}
				// out of the pending tokens, and the connection still up: written, not lost with it
				written = !pending.contains(token) && isCurrent();
				if (written || !isCurrent()) {
					break;
				}
				LockSupport.parkNanos(pause);
				pause = Math.min(pause * 2, LONGEST_PAUSE_NANOS);
				pending = null;
				written = token.isComplete();
			}
			if (!written || token.getException() != null) {
				if (token.isComplete() && isCurrent()) {
					throw new ReplyFailedException(token.getException());
				}
				undelivered++;
			}
		}
		return undelivered;
	}

	/** The client's tokens not yet done with: a QoS 0 publish leaves them once written. */
	private Set<IMqttToken> pending() {
		Set<IMqttToken> pending = Collections.newSetFromMap(new IdentityHashMap<>());
		if (this.client != null) {
			Collections.addAll(pending, this.client.getPendingTokens());
		}
		return pending;
	}

	/** A reply failed while its batch's connection is up. */
	static final class ReplyFailedException extends RuntimeException {

		ReplyFailedException(Throwable cause) {
			super("A reply could not be published while the connection is up: " + cause, cause);
		}

	}

}
