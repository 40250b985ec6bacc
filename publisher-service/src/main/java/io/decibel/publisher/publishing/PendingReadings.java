package io.decibel.publisher.publishing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.decibel.contract.Reading;

/**
 * The readings published but not acknowledged yet, oldest first, with when each was sent and when it is due to
 * be sent again. Unbounded for now: this is the class that becomes the bounded outbox.
 */
public class PendingReadings {

	/** However long the broker or the relay stays away, a reading is tried at least this often. */
	static final Duration MAX_RESEND_INTERVAL = Duration.ofMinutes(1);

	private final Map<Long, Pending> bySeq = new TreeMap<>();

	private final long ackTimeoutNanos;

	private final long maxIntervalNanos;

	public PendingReadings(Duration ackTimeout) {
		this.ackTimeoutNanos = ackTimeout.toNanos();
		this.maxIntervalNanos = Math.max(this.ackTimeoutNanos, MAX_RESEND_INTERVAL.toNanos());
	}

	synchronized void add(Reading reading, long nowNanos) {
		this.bySeq.put(reading.seq(), new Pending(reading, nowNanos));
	}

	/** Records a send of the reading; an ACK may have removed it already, which is fine. */
	synchronized void sent(long seq, long nowNanos) {
		Pending pending = this.bySeq.get(seq);
		if (pending != null) {
			pending.sent(nowNanos);
		}
	}

	/**
	 * The readings whose ACK is overdue: one ACK timeout after the first send, doubling with each re-send. A
	 * reading that could not be sent at all is due one ACK timeout after it was taken.
	 */
	synchronized List<Reading> due(long nowNanos) {
		List<Reading> due = new ArrayList<>();
		for (Pending pending : this.bySeq.values()) {
			long since = (pending.sends > 0) ? pending.lastSentNanos : pending.addedNanos;
			if (nowNanos - since >= interval(Math.max(1, pending.sends))) {
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
	 * of a re-sent reading took it)
	 */
	public synchronized Optional<Acknowledged> acknowledge(long seq, long nowNanos) {
		Pending pending = this.bySeq.remove(seq);
		if (pending == null) {
			return Optional.empty();
		}
		long firstSent = (pending.sends > 0) ? pending.firstSentNanos : pending.addedNanos;
		return Optional.of(new Acknowledged(pending.reading, Duration.ofNanos(nowNanos - firstSent)));
	}

	public synchronized int size() {
		return this.bySeq.size();
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

	private static final class Pending {

		private final Reading reading;

		private final long addedNanos;

		private long firstSentNanos;

		private long lastSentNanos;

		private int sends;

		Pending(Reading reading, long addedNanos) {
			this.reading = reading;
			this.addedNanos = addedNanos;
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
