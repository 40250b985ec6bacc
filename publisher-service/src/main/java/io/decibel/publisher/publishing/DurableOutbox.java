package io.decibel.publisher.publishing;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

import io.decibel.contract.Reading;
import io.decibel.contract.ReadingIdentity;
import io.decibel.contract.TelemetryCodec;
import io.decibel.publisher.PublisherProperties.OutboxFull;
import io.decibel.publisher.publishing.PendingReadings.Acknowledged;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device's outbox on disk: it numbers each reading and keeps it in a log ({@link OutboxLog}) until it is settled
 * (acknowledged, given up, or re-numbered), so that the readings not yet acknowledged and the seq counter outlive a
 * crash. A reading is on disk before it is first sent: the sampler appends it and moves on; the
 * {@link OutboxFlusher} takes everything appended since its last write, forces it to disk in one go (one fsync for a
 * group, never more than one at a time) and only then sends the new readings. Settlements ride along with the next
 * write: lost in a crash, they cost a re-send and a {@code DUPLICATE} answer.
 * <p>
 * After a restart the readings kept before are sent again first, oldest first, and numbering continues after the
 * highest seq ever written. A seq numbered but not yet on disk when the device died was never sent, so numbering it
 * again repeats nothing anyone has seen.
 * <p>
 * The in-memory side (due times, counts, capacity) stays with {@link PendingReadings}; every change of what it holds
 * goes through this class, which keeps the log in step.
 */
public class DurableOutbox implements Closeable {

	private static final Logger LOG = LoggerFactory.getLogger(DurableOutbox.class);

	/** Rewrite the log once this many of its records are settled and they outnumber the pending readings. */
	static final int COMPACT_AFTER = 4096;

	private final PendingReadings pending;

	private final OutboxLog log;

	private final SequenceStore checkpoint;

	private final FileChannel lockFile;

	private final FileLock lock;

	/** Guards the log's file: the flusher's writes, and the last write when closing. */
	private final Object io = new Object();

	private final int recovered;

	private long next;

	/** Kept, re-numbered or recovered, and not yet sent for the first time by the flusher. */
	private List<Reading> toSend = new ArrayList<>();

	private long settledRecords;

	private long renumbered;

	private boolean closed;

	private boolean woken;

	DurableOutbox(Path stateDir, String deviceId, PendingReadings pending, TelemetryCodec codec) {
		this.pending = pending;
		this.checkpoint = new SequenceStore(stateDir, deviceId);
		try {
			Files.createDirectories(stateDir);
			this.lockFile = FileChannel.open(stateDir.resolve(deviceId + ".lock"), StandardOpenOption.CREATE,
					StandardOpenOption.WRITE);
			this.lock = lock(this.lockFile, stateDir, deviceId);
			OutboxLog.Opened opened = OutboxLog.open(stateDir.resolve(deviceId + ".outbox"), codec);
			this.log = opened.log();
			this.next = Math.max(opened.next(), this.checkpoint.read());
			if (this.next > opened.next()) {
				this.log.append(OutboxLog.NEXT, this.next);
				this.log.write(this.log.drain());
			}
			long now = System.nanoTime();
			for (Reading reading : opened.pending().values()) {
				this.pending.add(reading, now, true);
				this.toSend.add(reading);
			}
			this.recovered = opened.pending().size();
			this.settledRecords = opened.records() - this.recovered;
			this.checkpoint.write(this.next);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot use " + stateDir + " as the publisher's state directory", ex);
		}
		if (this.recovered > 0) {
			LOG.info("Outbox {}: {} readings not acknowledged before the restart (seq {}..{}), sent again first; "
					+ "numbering continues at seq={}", this.log.file(), this.recovered, this.toSend.get(0).seq(),
					this.toSend.get(this.recovered - 1).seq(), this.next);
			if (this.recovered > pending.capacity()) {
				LOG.warn("Outbox holds {} readings, more than its capacity of {}: new readings wait for room "
						+ "(block) or give up the oldest (drop-oldest) until it is back under", this.recovered,
						pending.capacity());
			}
		}
		else {
			LOG.info("Outbox {}: no reading waiting; numbering continues at seq={}", this.log.file(), this.next);
		}
	}

	/**
	 * Numbers a new reading and keeps it: in the log now, on disk with the flusher's next write, sent right after.
	 * @param reading the reading, given its seq
	 * @return the reading kept and the one given up to make room, if any; empty when the outbox is full under
	 * {@code block} (wait for room, {@link PendingReadings#awaitRoom})
	 */
	synchronized Optional<Kept> keep(LongFunction<Reading> reading, long nowNanos) {
		if (this.closed) {
			throw new IllegalStateException("The outbox is closed");
		}
		if (this.pending.isFull() && this.pending.whenFull() == OutboxFull.BLOCK) {
			return Optional.empty();
		}
		Reading kept = reading.apply(this.next);
		Optional<Reading> givenUp = this.pending.add(kept, nowNanos, false);
		this.next++;
		this.log.appendReading(kept);
		givenUp.ifPresent((oldest) -> settled(oldest.seq()));
		this.toSend.add(kept);
		notifyAll();
		return Optional.of(new Kept(kept, givenUp));
	}

	/**
	 * Settles the reading with the given seq: acknowledged.
	 * @return as {@link PendingReadings#acknowledge}
	 */
	public synchronized Optional<Acknowledged> acknowledge(long seq, long nowNanos) {
		return acknowledge(seq, null, nowNanos);
	}

	/**
	 * Settles the reading with the given seq, acknowledged, when the answer is to one of its sends.
	 * @param answered the Correlation Data of the answer, {@code null} when it names no send
	 * @return as {@link PendingReadings#acknowledge(long, Correlation, long)}
	 */
	public synchronized Optional<Acknowledged> acknowledge(long seq, @Nullable Correlation answered,
			long nowNanos) {
		Optional<Acknowledged> acknowledged = this.pending.acknowledge(seq, answered, nowNanos);
		acknowledged.ifPresent((settled) -> settled(seq));
		return acknowledged;
	}

	/**
	 * The relay holds the seq already, with another reading: the device's numbering went back (it lost its state).
	 * The counter moves past the relay's highest seq, and the reading in conflict — that one only — is numbered again
	 * after it, with its content and {@code sampledAt}, and sent again under its new seq once that is on disk.
	 * <p>
	 * Other pending readings at or below that seq keep theirs until the relay answers them: the highest seq may be
	 * one of this device's own new readings, stored in the same batch as the conflict or before (its ACK on the way
	 * or lost), and numbered again such a reading would be stored twice. Only a {@code CONFLICT} answer says that a
	 * seq is held by another reading; each of theirs that is will get one, and be numbered again then.
	 * <p>
	 * The answer may be to another copy under the seq: an older reading's, sent before the device lost its state and
	 * still on its way, while the pending reading is stored already (its {@code STORED} lost). So the pending reading
	 * is numbered again only when the relay names another reading as the holder (contract v1.2); when it names this
	 * one, the reading is settled as stored. A v1.1 relay names none: then the reading is numbered again when the
	 * answer is to one of its own sends, or when the Correlation Data cannot tell (the seq alone, as v1 sent it).
	 * @param seq the seq in conflict
	 * @param highestSeq the highest seq the relay holds for the device
	 * @param heldBy the reading that holds the seq, {@code null} from a v1.1 relay
	 * @param answered the Correlation Data of the answer, {@code null} when it names no send
	 */
	public synchronized Renumbering conflict(long seq, long highestSeq, @Nullable ReadingIdentity heldBy,
			@Nullable Correlation answered, long nowNanos) {
		Optional<ReadingIdentity> pendingIdentity = this.pending.identity(seq);
		Optional<Acknowledged> storedBefore = Optional.empty();
		Optional<Acknowledged> conflicted = Optional.empty();
		if (pendingIdentity.isPresent() && heldBy != null) {
			if (heldBy.equals(pendingIdentity.get())) {
				storedBefore = this.pending.acknowledge(seq, nowNanos);
			}
			else {
				conflicted = this.pending.acknowledge(seq, nowNanos);
			}
		}
		else if (pendingIdentity.isPresent()) {
			conflicted = this.pending.acknowledge(seq, answered, nowNanos);
		}
		storedBefore.ifPresent((settled) -> settled(seq));
		conflicted.ifPresent((settled) -> settled(seq));
		boolean counterMoved = this.next <= highestSeq && !this.closed;
		if (counterMoved) {
			this.next = highestSeq + 1;
			this.log.append(OutboxLog.NEXT, this.next);
			this.settledRecords++;
		}
		List<Renumbered> renumbered = new ArrayList<>(1);
		if (conflicted.isPresent() && !this.closed) {
			Reading reading = conflicted.get().reading();
			Reading moved = withSeq(reading, this.next++);
			this.pending.add(moved, nowNanos, false);
			this.log.appendReading(moved);
			this.toSend.add(moved);
			renumbered.add(new Renumbered(reading.seq(), moved.seq()));
		}
		this.renumbered += renumbered.size();
		notifyAll();
		return new Renumbering(conflicted, storedBefore, counterMoved, highestSeq, renumbered);
	}

	/**
	 * Waits until there is something to send, or the timeout passes, and takes what the log has appended since the
	 * last batch (a compacted log instead, when settled records dominate).
	 */
	synchronized Batch nextBatch(Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (this.toSend.isEmpty() && !this.closed && !this.woken) {
			long remaining = deadline - System.nanoTime();
			if (remaining <= 0) {
				break;
			}
			TimeUnit.NANOSECONDS.timedWait(this, remaining);
		}
		this.woken = false;
		if (this.closed) {
			return new Batch(List.of(), new byte[0], false, this.next);
		}
		List<Reading> readings = this.toSend;
		this.toSend = new ArrayList<>();
		if (this.settledRecords >= COMPACT_AFTER && this.settledRecords > this.pending.size()) {
			this.settledRecords = 0;
			return new Batch(readings, this.log.compacted(this.pending.readings(), this.next), true, this.next);
		}
		return new Batch(readings, this.log.drain(), false, this.next);
	}

	/** Puts the batch on disk; its readings may be sent once this returns. On failure the log is as before. */
	void write(Batch batch) {
		synchronized (this.io) {
			if (batch.compacted()) {
				this.log.replace(batch.records());
				this.checkpoint.write(batch.next());
				LOG.debug("Outbox compacted: {} readings pending, next seq={}", this.pending.size(), batch.next());
			}
			else {
				this.log.write(batch.records());
			}
		}
		for (Reading reading : batch.readings()) {
			this.pending.durable(reading.seq());
		}
	}

	/** Whether the reading is pending and was never sent: the flusher sends it, unless a re-send got there first. */
	boolean isUnsent(long seq) {
		return this.pending.isUnsent(seq);
	}

	/** Wakes a flusher waiting for a batch: it is being stopped. */
	synchronized void wake() {
		this.woken = true;
		notifyAll();
	}

	/** Readings kept before a restart and found in the log. */
	public int recovered() {
		return this.recovered;
	}

	/** Readings numbered again after a {@code CONFLICT} answer. */
	public synchronized long renumbered() {
		return this.renumbered;
	}

	/** Writes what is still in the buffer (settlements since the last batch) and checkpoints the counter. */
	@Override
	public void close() {
		byte[] rest;
		long next;
		synchronized (this) {
			if (this.closed) {
				return;
			}
			this.closed = true;
			rest = this.log.drain();
			next = this.next;
			notifyAll();
		}
		try {
			synchronized (this.io) {
				this.log.write(rest);
				this.log.close();
			}
			this.checkpoint.write(next);
		}
		catch (IOException | UncheckedIOException ex) {
			LOG.warn("Could not close the outbox {} cleanly: {}", this.log.file(), ex.getMessage());
		}
		finally {
			try {
				this.lock.release();
				this.lockFile.close();
			}
			catch (IOException ex) {
				// the lock goes with the process anyway
			}
		}
	}

	/** Lets go of the files as a killed process does: what is buffered is not written. For tests of a crash. */
	synchronized void abandon() throws IOException {
		this.closed = true;
		this.log.close();
		this.lock.release();
		this.lockFile.close();
	}

	private void settled(long seq) {
		if (!this.closed) {
			this.log.append(OutboxLog.SETTLED, seq);
			// the reading's record and this one
			this.settledRecords += 2;
		}
	}

	private static Reading withSeq(Reading reading, long seq) {
		return reading.withSeq(seq);
	}

	/** One log per device: a second publisher on the same files would interleave its records with ours. */
	private static FileLock lock(FileChannel lockFile, Path stateDir, String deviceId) throws IOException {
		FileLock lock;
		try {
			lock = lockFile.tryLock();
		}
		catch (OverlappingFileLockException ex) {
			lock = null;
		}
		if (lock == null) {
			lockFile.close();
			throw new IllegalStateException("Another publisher of device '" + deviceId + "' uses " + stateDir
					+ ": each device needs a state directory of its own");
		}
		return lock;
	}

	/**
	 * A new reading, kept.
	 *
	 * @param reading the reading, with its seq
	 * @param givenUp the oldest reading, given up to make room ({@code drop-oldest})
	 */
	record Kept(Reading reading, Optional<Reading> givenUp) {
	}

	/**
	 * What a {@code CONFLICT} answer did.
	 *
	 * @param conflicted the reading in conflict, settled, with its round trip; empty when it was no longer pending,
	 * or is not in conflict
	 * @param storedBefore the pending reading that the relay named as the holder of its seq: settled as stored
	 * @param counterMoved whether the counter moved past the relay's highest seq now (the first answer that says so)
	 * @param highestSeq the relay's highest seq for the device
	 * @param renumbered the reading numbered again, old seq to new: the one in conflict, when it was pending
	 */
	public record Renumbering(Optional<Acknowledged> conflicted, Optional<Acknowledged> storedBefore,
			boolean counterMoved, long highestSeq, List<Renumbered> renumbered) {
	}

	/** A reading numbered again: its old seq and its new one. */
	public record Renumbered(long from, long to) {
	}

	/**
	 * What the flusher writes at once, and the readings it may send once it is written.
	 *
	 * @param readings new readings in the batch, to send after the write
	 * @param records the records to append, or the whole compacted log
	 * @param compacted whether {@code records} replace the log
	 * @param next the counter, as of the batch
	 */
	record Batch(List<Reading> readings, byte[] records, boolean compacted, long next) {
	}

}
