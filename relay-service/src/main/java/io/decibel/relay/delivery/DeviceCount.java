package io.decibel.relay.delivery;

import java.util.HashSet;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * One device's delivery figures as the relay keeps them: how many of its readings are stored and the highest seq.
 * They come from a count in the table, then grow with each reading the relay stores. A count runs beside the
 * writer: the seqs stored meanwhile are noted and, once the count is in, added to it unless the count's own snapshot
 * of the table holds them already, which that snapshot is asked by key. So the figures count each reading once,
 * whenever the snapshot was taken.
 * <p>
 * The figures start at the device's retention horizon: a reading retention deletes leaves them, and its seq is no
 * longer among those that can be missing. A chunk of retention committed while a count runs may or may not be in the
 * count's snapshot: the device is then counted again at once.
 */
final class DeviceCount {

	private final String deviceId;

	private long stored;

	private long lastSeq = -1;

	/** The device's retention horizon: the figures cover seqs from here on. */
	private long retainedFrom;

	/** Whether retention deleted readings of the device while a count was under way. */
	private boolean retiredDuringCount;

	private boolean counted;

	private long countedAt;

	/** The seqs stored since the count under way began; {@code null} while no count is under way. */
	private @Nullable Set<Long> storedSinceCountBegan = new HashSet<>();

	private boolean countQueued;

	DeviceCount(String deviceId) {
		this.deviceId = deviceId;
	}

	String deviceId() {
		return this.deviceId;
	}

	/** A reading of the device just committed. */
	synchronized void stored(long seq) {
		if (seq < this.retainedFrom) {
			// a late re-send of a reading retention deleted: outside the figures, and deleted with its device's next
			return;
		}
		this.stored++;
		this.lastSeq = Math.max(this.lastSeq, seq);
		if (this.storedSinceCountBegan != null) {
			this.storedSinceCountBegan.add(seq);
		}
	}

	/** Retention deleted {@code deleted} readings of the device at or above its horizon, now {@code retainedFrom}. */
	synchronized void retired(long retainedFrom, long deleted) {
		if (retainedFrom <= this.retainedFrom) {
			return;
		}
		this.retainedFrom = retainedFrom;
		this.stored -= deleted;
		if (this.storedSinceCountBegan != null) {
			this.retiredDuringCount = true;
		}
	}

	/**
	 * After a count: whether it is to run again at once, because retention deleted readings of the device meanwhile.
	 * If so, the count is marked queued and under way.
	 */
	synchronized boolean countAgain() {
		if (!this.retiredDuringCount || this.countQueued) {
			return false;
		}
		this.retiredDuringCount = false;
		this.storedSinceCountBegan = new HashSet<>();
		this.countQueued = true;
		return true;
	}

	/**
	 * Whether a count is to be queued now: the first one, one that failed, or a count again when seqs are missing and
	 * the last count is {@code recountNanos} old. If so, the count is marked queued and under way.
	 */
	synchronized boolean queueCount(long now, long recountNanos) {
		if (this.countQueued) {
			return false;
		}
		if (this.storedSinceCountBegan == null) {
			if (missing() == 0 || now - this.countedAt < recountNanos) {
				return false;
			}
			this.storedSinceCountBegan = new HashSet<>();
		}
		this.countQueued = true;
		return true;
	}

	/** The seqs stored since the count began that are not among those looked up yet. */
	synchronized Set<Long> notLookedUp(Set<Long> lookedUp) {
		Set<Long> seqs = new HashSet<>(this.storedSinceCountBegan);
		seqs.removeAll(lookedUp);
		return seqs;
	}

	/**
	 * The count is in: the figures become the table's, plus the readings stored since the count began that its
	 * snapshot does not hold.
	 * @param lookedUp the seqs stored since the count began that were looked up in the count's snapshot
	 * @param inSnapshot those among them that the snapshot holds
	 * @return {@code false}, and nothing changes, while seqs stored since the count began are still to be looked up
	 */
	synchronized boolean countIn(long tableStored, @Nullable Long tableLastSeq, long tableRetainedFrom,
			Set<Long> lookedUp, Set<Long> inSnapshot, long now) {
		if (!lookedUp.containsAll(this.storedSinceCountBegan)) {
			return false;
		}
		this.stored = tableStored;
		this.lastSeq = Math.max((tableLastSeq != null) ? tableLastSeq : -1, tableRetainedFrom - 1);
		this.retainedFrom = tableRetainedFrom;
		for (long seq : this.storedSinceCountBegan) {
			if (!inSnapshot.contains(seq) && seq >= tableRetainedFrom) {
				this.stored++;
			}
			this.lastSeq = Math.max(this.lastSeq, seq);
		}
		this.storedSinceCountBegan = null;
		this.countQueued = false;
		this.counted = true;
		this.countedAt = now;
		return true;
	}

	/** The count failed (the database away): the next reading stored queues it again. */
	synchronized void countFailed() {
		this.countQueued = false;
	}

	synchronized boolean counted() {
		return this.counted;
	}

	synchronized long storedCount() {
		return this.stored;
	}

	/** Seqs from the retention horizon to the highest stored one that are not stored. */
	synchronized long missing() {
		return Math.max(0, this.lastSeq + 1 - this.retainedFrom - this.stored);
	}

	/** The highest seq stored (and perhaps deleted by retention since), -1 when none was. */
	synchronized long lastSeq() {
		return this.lastSeq;
	}

}
