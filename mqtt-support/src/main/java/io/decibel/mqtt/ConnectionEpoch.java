package io.decibel.mqtt;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongPredicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.integration.acks.SimpleAcknowledgment;

/**
 * Which connection of the service's MQTT client is the current one, so that a delivery is acknowledged on the
 * connection it came on or not at all. A PUBACK carries nothing but a packet id, and packet ids belong to a
 * connection: after a reconnect the same id names another message, and acknowledging it would tell the broker that
 * a message nobody has stored is done with. A delivery whose connection is gone is simply not acknowledged: the
 * broker sends it again on the resumed session, where the store answers it as a duplicate.
 * <p>
 * The client manager moves the epoch on when a connection completes — on Paho's callback thread, before the first
 * message of that connection — and when one is lost or closed.
 * <p>
 * A service that turned deliveries away, unacknowledged, can have them sent again by {@link #renew renewing} the
 * connection: the client closes it and opens another that resumes the session, and the broker sends again every
 * delivery of the session that was not acknowledged (MQTT 5 §4.4).
 */
public final class ConnectionEpoch {

	private static final Logger LOG = LoggerFactory.getLogger(ConnectionEpoch.class);

	private final Object lock = new Object();

	private long epoch;

	private boolean connected;

	private BooleanSupplier transportUp = () -> false;

	private volatile LongPredicate renewal = (epoch) -> false;

	private final AtomicLong connections = new AtomicLong();

	private final AtomicLong dropped = new AtomicLong();

	private final AtomicLong loggedFor = new AtomicLong(-1);

	/** Since when ({@link System#nanoTime()}) no connection has been up; meaningless while connected. */
	private long downSince = System.nanoTime();

	/** The current connection's number; it changes with every connection made or lost. */
	public long current() {
		synchronized (this.lock) {
			return this.epoch;
		}
	}

	/** How many connections the client has made. */
	public long connections() {
		return this.connections.get();
	}

	/** How many acknowledgments were not sent because the delivery's connection was gone. */
	public long droppedAcknowledgments() {
		return this.dropped.get();
	}

	/**
	 * Whether the connection with this number is the client's connection, and still up: what is written on the
	 * client now goes out on it.
	 */
	public boolean isCurrent(long epoch) {
		synchronized (this.lock) {
			return this.connected && this.epoch == epoch && this.transportUp.getAsBoolean();
		}
	}

	/** How long the client has had no connection: zero while it has one. */
	public Duration downFor() {
		synchronized (this.lock) {
			return this.connected ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - this.downSince);
		}
	}

	/**
	 * An acknowledgment for a delivery that arrived just now: it goes out at most once, and only while the
	 * connection the delivery came on is still the client's connection.
	 */
	public BoundAcknowledgment bind(SimpleAcknowledgment acknowledgment) {
		return new BoundAcknowledgment(acknowledgment, current());
	}

	/**
	 * A connection is complete.
	 * @param transportUp whether the client's connection is still up: Paho says so as soon as it starts to close it,
	 * before it calls anyone back
	 */
	void connected(BooleanSupplier transportUp) {
		synchronized (this.lock) {
			this.epoch++;
			this.connected = true;
			this.transportUp = transportUp;
		}
		this.connections.incrementAndGet();
	}

	void disconnected() {
		synchronized (this.lock) {
			if (this.connected) {
				this.epoch++;
				this.connected = false;
				this.downSince = System.nanoTime();
			}
		}
	}

	/**
	 * The client is about to close the connection with this number: from now on nothing of it is acknowledged.
	 * @return whether it is still the current connection (otherwise it is gone already, and nothing changes)
	 */
	boolean closing(long epoch) {
		synchronized (this.lock) {
			if (!this.connected || this.epoch != epoch) {
				return false;
			}
			this.epoch++;
			this.connected = false;
			this.downSince = System.nanoTime();
			return true;
		}
	}

	/** How the client renews a connection: closes the one with the given number, if current, and opens another. */
	void renewWith(LongPredicate renewal) {
		this.renewal = renewal;
	}

	/**
	 * Closes the connection with this number, if it is still the current one, and opens another that resumes the
	 * session: the broker sends again what was delivered and not acknowledged. Waits for the close, not for the new
	 * connection; never on one of the MQTT client's threads.
	 * @return whether the connection was closed for it (not when it was gone already)
	 */
	public boolean renew(long epoch) {
		return this.renewal.test(epoch);
	}

	private void acknowledge(long deliveredOn, SimpleAcknowledgment acknowledgment) {
		// under the lock: a reconnect cannot slip in between the check and the PUBACK
		synchronized (this.lock) {
			if (this.connected && this.epoch == deliveredOn && this.transportUp.getAsBoolean()) {
				try {
					acknowledgment.acknowledge();
					return;
				}
				catch (RuntimeException ex) {
					// the connection went down under us: the broker sends the delivery again
				}
			}
		}
		this.dropped.incrementAndGet();
		long previous = this.loggedFor.getAndSet(deliveredOn);
		if (previous != deliveredOn) {
			LOG.info("Not acknowledging deliveries of an MQTT connection that is gone (their packet ids may name other"
					+ " messages now); the broker delivers them again");
		}
	}

	/** An acknowledgment tied to the connection its delivery came on. */
	public final class BoundAcknowledgment implements SimpleAcknowledgment {

		private final SimpleAcknowledgment acknowledgment;

		private final long epoch;

		private final AtomicBoolean done = new AtomicBoolean();

		private BoundAcknowledgment(SimpleAcknowledgment acknowledgment, long epoch) {
			this.acknowledgment = acknowledgment;
			this.epoch = epoch;
		}

		/** The connection the delivery came on. */
		public long epoch() {
			return this.epoch;
		}

		/** Sends the PUBACK the first time, if the delivery's connection is still up; never throws. */
		@Override
		public void acknowledge() {
			if (this.done.compareAndSet(false, true)) {
				ConnectionEpoch.this.acknowledge(this.epoch, this.acknowledgment);
			}
		}

	}

}
