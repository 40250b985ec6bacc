package io.decibel.publisher.publishing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import io.decibel.contract.Reading;
import io.decibel.contract.ReadingIdentity;
import io.decibel.publisher.PublisherProperties.OutboxFull;
import org.jspecify.annotations.Nullable;

/**
 * The outbox in memory: the readings kept and not acknowledged yet, oldest first, with when each was sent and when it
 * is due to be sent again ({@link DurableOutbox} keeps them on disk too). It holds at most {@code capacity} readings; what happens to one more is the
 * {@link OutboxFull} policy: the sampler waits for room ({@link #awaitRoom}), or the oldest reading is given up.
 * <p>
 * It also keeps the device's counts: readings published (first sends), re-sent, acknowledged, pending and given up.
 */
public class PendingReadings {

	/** However long the broker or the relay stays away, a reading is tried at least this often. */
	static final Duration MAX_RESEND_INTERVAL = Duration.ofMinutes(1);

	private final Map<Long, Pending> bySeq = new TreeMap<>();

	private final long ackTimeoutNanos;

	private final long maxIntervalNanos;

	private final int capacity;

	private final OutboxFull whenFull;

	private boolean acknowledgedOnce;

	private long lastAcknowledgedNanos;

	private boolean anyAcknowledgedSend;

	/** The latest first send of a reading since acknowledged: what was sent before it and is pending looks lost. */
	private long lastAcknowledgedSendNanos;

	private long published;

	private long resent;

	private long acknowledged;

	private long givenUp;

	public PendingReadings(Duration ackTimeout, int capacity, OutboxFull whenFull) {
		if (capacity < 1) {
			throw new IllegalArgumentException("The outbox must hold at least one reading, not " + capacity);
		}
		this.ackTimeoutNanos = ackTimeout.toNanos();
		this.maxIntervalNanos = Math.max(this.ackTimeoutNanos, MAX_RESEND_INTERVAL.toNanos());
		this.capacity = capacity;
		this.whenFull = whenFull;
	}

	/**
	 * Keeps the reading until its ACK. When the outbox is full, the policy {@code drop-oldest} gives up the oldest
	 * reading to make room; under {@code block} the caller waits for room first ({@link #awaitRoom}).
	 * @return the reading given up to make room, if any
	 * @throws IllegalStateException when the outbox is full under {@code block}
	 */
	synchronized Optional<Reading> add(Reading reading, long nowNanos) {
		return add(reading, nowNanos, true);
	}

	/**
	 * Keeps the reading until its ACK, as {@link #add(Reading, long)} does.
	 * @param durable whether it may be sent: a reading on its way to disk is not due until it is there
	 * ({@link #durable(long)})
	 */
	synchronized Optional<Reading> add(Reading reading, long nowNanos, boolean durable) {
		Optional<Reading> givenUp = Optional.empty();
		if (this.bySeq.size() >= this.capacity) {
			if (this.whenFull == OutboxFull.BLOCK) {
				throw new IllegalStateException("The outbox is full (" + this.capacity + " readings): wait for room");
			}
			Iterator<Pending> oldest = this.bySeq.values().iterator();
			givenUp = Optional.of(oldest.next().reading);
			oldest.remove();
			this.givenUp++;
		}
		this.bySeq.put(reading.seq(), new Pending(reading, nowNanos, durable));
		return givenUp;
	}

	/** Marks the reading as on disk: from now on it may be sent. */
	synchronized void durable(long seq) {
		Pending pending = this.bySeq.get(seq);
		if (pending != null) {
			pending.durable = true;
		}
	}

	/** Takes the reading out without an ACK (it is being sent under another seq): counted as nothing. */
	synchronized Optional<Reading> remove(long seq) {
		Pending pending = this.bySeq.remove(seq);
		notifyAll();
		return Optional.ofNullable(pending).map((removed) -> removed.reading);
	}

	/** The pending readings, oldest first. */
	synchronized List<Reading> readings() {
		return this.bySeq.values().stream().map((pending) -> pending.reading).toList();
	}

	/** Whether the reading is pending and was never sent. */
	synchronized boolean isUnsent(long seq) {
		Pending pending = this.bySeq.get(seq);
		return pending != null && pending.sends == 0;
	}

	/**
	 * Waits until the outbox has room for one more reading, or the timeout passes. Under {@code drop-oldest} there
	 * is always room.
	 * @return whether there is room
	 */
	synchronized boolean awaitRoom(Duration timeout) throws InterruptedException {
		if (this.whenFull == OutboxFull.DROP_OLDEST) {
			return true;
		}
		long deadline = System.nanoTime() + timeout.toNanos();
		while (this.bySeq.size() >= this.capacity) {
			long remaining = deadline - System.nanoTime();
			if (remaining <= 0) {
				return false;
			}
			TimeUnit.NANOSECONDS.timedWait(this, remaining);
		}
		return true;
	}

	synchronized boolean isFull() {
		return this.bySeq.size() >= this.capacity;
	}

	/**
	 * Records a send of the reading, a first send or a re-send, before it is handed to the MQTT client: its ACK may
	 * come back before the hand-over returns. An ACK of an earlier send may have removed the reading already: that
	 * is a re-send. A send that the client then refuses is taken back with {@link #notSent}.
	 * @return the send, to name in its Correlation Data and to take back
	 */
	synchronized Send sent(long seq, long nowNanos) {
		Pending pending = this.bySeq.get(seq);
		boolean first = pending != null && pending.sends == 0;
		if (first) {
			this.published++;
		}
		else {
			this.resent++;
		}
		long previousSentNanos = (pending != null) ? pending.lastSentNanos : 0;
		if (pending == null) {
			return new Send(seq, first, previousSentNanos, 0, null);
		}
		pending.sent(nowNanos);
		return new Send(seq, first, previousSentNanos, pending.sends, pending.identity);
	}

	/** Takes back a send that never left: the MQTT client refused the reading, which stays as it was. */
	synchronized void notSent(Send send) {
		if (send.first()) {
			this.published--;
		}
		else {
			this.resent--;
		}
		Pending pending = this.bySeq.get(send.seq());
		if (pending != null && pending.sends > 0) {
			pending.sends--;
			pending.lastSentNanos = send.previousSentNanos();
		}
	}

	/**
	 * The readings to send now, oldest first: those never sent, one ACK timeout after they were taken, and those
	 * whose ACK is overdue (one ACK timeout after the send, doubling with each re-send) and that look lost.
	 * <p>
	 * An overdue reading looks lost when a reading sent after it has been acknowledged: the relay answers in about
	 * the order it receives. Otherwise it is more likely waiting in the broker or the relay behind others (the relay
	 * was away, its database too): re-sending it, and the thousands behind it, would only double the backlog. While
	 * no ACK at all has come for an ACK timeout (the relay is away, or the broker restarted and lost what it held),
	 * the oldest overdue reading is re-sent as a probe, one per sweep; its ACK is the evidence the others need.
	 */
	synchronized List<Reading> due(long nowNanos) {
		boolean stalled = !this.acknowledgedOnce || nowNanos - this.lastAcknowledgedNanos >= this.ackTimeoutNanos;
		boolean probed = false;
		List<Reading> due = new ArrayList<>();
		for (Pending pending : this.bySeq.values()) {
			if (!pending.durable) {
				continue;
			}
			long since = (pending.sends > 0) ? pending.lastSentNanos : pending.addedNanos;
			if (nowNanos - since < interval(Math.max(1, pending.sends))) {
				continue;
			}
			boolean overtaken = this.anyAcknowledgedSend && pending.lastSentNanos - this.lastAcknowledgedSendNanos < 0;
			if (pending.sends == 0 || overtaken) {
				due.add(pending.reading);
			}
			else if (stalled && !probed) {
				probed = true;
				due.add(pending.reading);
			}
		}
		return due;
	}

	/** How many times the reading was sent, 0 when it is not pending. */
	synchronized int sends(long seq) {
		Pending pending = this.bySeq.get(seq);
		return (pending != null) ? pending.sends : 0;
	}

	/**
	 * Removes the reading with the given seq.
	 * @return the reading and its round trip from its first send, empty when it was not pending (an earlier ACK
	 * of a re-sent reading took it, or it was given up)
	 */
	public synchronized Optional<Acknowledged> acknowledge(long seq, long nowNanos) {
		return acknowledge(seq, null, nowNanos);
	}

	/**
	 * Removes the reading with the given seq when the answer is to one of its sends.
	 * @param answered the Correlation Data the answer carries; {@code null} when it names no send (the seq alone)
	 * @return the reading and its round trip from its first send, empty when it was not pending (an earlier ACK
	 * of a re-sent reading took it, or it was given up) or the answer is to a send of another reading under its seq
	 */
	public synchronized Optional<Acknowledged> acknowledge(long seq, @Nullable Correlation answered,
			long nowNanos) {
		// any answer says that the relay answers
		this.acknowledgedOnce = true;
		this.lastAcknowledgedNanos = nowNanos;
		Pending pending = this.bySeq.get(seq);
		if (pending == null || (answered != null && !answered.answers(pending.identity))) {
			return Optional.empty();
		}
		this.bySeq.remove(seq);
		this.acknowledged++;
		// which send the ACK answers is unknown (Karn's problem): the first one, to be safe. Taking the last would let
		// the ACK of a probe's first copy, answered from a backlog, make everything behind that copy look lost
		if (pending.sends > 0 && (!this.anyAcknowledgedSend
				|| pending.firstSentNanos - this.lastAcknowledgedSendNanos > 0)) {
			this.anyAcknowledgedSend = true;
			this.lastAcknowledgedSendNanos = pending.firstSentNanos;
		}
		notifyAll();
		long firstSent = (pending.sends > 0) ? pending.firstSentNanos : pending.addedNanos;
		return Optional.of(new Acknowledged(pending.reading, Duration.ofNanos(nowNanos - firstSent)));
	}

	/** The identity of the pending reading with the given seq, empty when none is pending. */
	synchronized Optional<ReadingIdentity> identity(long seq) {
		return Optional.ofNullable(this.bySeq.get(seq)).map((pending) -> pending.identity);
	}

	/** Readings published and not acknowledged yet. */
	public synchronized int size() {
		return this.bySeq.size();
	}

	public int capacity() {
		return this.capacity;
	}

	public OutboxFull whenFull() {
		return this.whenFull;
	}

	/** Readings sent for the first time. */
	public synchronized long published() {
		return this.published;
	}

	/** Sends of a reading again, its ACK overdue. */
	public synchronized long resent() {
		return this.resent;
	}

	/** Readings that left the outbox with an ACK, whatever its status. */
	public synchronized long acknowledged() {
		return this.acknowledged;
	}

	/** Readings given up to make room in a full outbox: perhaps stored, never confirmed. */
	public synchronized long givenUp() {
		return this.givenUp;
	}

	private long interval(int sends) {
		// 2^(sends-1) · timeout, capped before it can overflow for a reading re-sent for days
		long interval = this.ackTimeoutNanos;
		for (int i = 1; i < sends && interval < this.maxIntervalNanos; i++) {
			interval *= 2;
		}
		return Math.min(interval, this.maxIntervalNanos);
	}

	/**
	 * A reading that left the pending set with its ACK.
	 *
	 * @param reading the reading
	 * @param roundTrip from its first send to its ACK
	 */
	public record Acknowledged(Reading reading, Duration roundTrip) {
	}

	/**
	 * One send of a reading, as {@link #sent} recorded it.
	 *
	 * @param number which send of the reading it is, from 1; 0 when the reading was no longer pending
	 * @param identity the reading's identity, {@code null} when it was no longer pending
	 */
	record Send(long seq, boolean first, long previousSentNanos, int number, @Nullable ReadingIdentity identity) {
	}

	private static final class Pending {

		private final Reading reading;

		/** What its Correlation Data names and a {@code CONFLICT} is compared with: computed once. */
		private final ReadingIdentity identity;

		private final long addedNanos;

		private long firstSentNanos;

		private long lastSentNanos;

		private int sends;

		private boolean durable;

		Pending(Reading reading, long addedNanos, boolean durable) {
			this.reading = reading;
			this.identity = ReadingIdentity.of(reading);
			this.addedNanos = addedNanos;
			this.durable = durable;
		}

		void sent(long nowNanos) {
			if (this.sends == 0) {
				this.firstSentNanos = nowNanos;
			}
			this.lastSentNanos = nowNanos;
			this.sends++;
		}

	}

}
