package io.decibel.publisher.publishing;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;

import io.decibel.contract.Reading;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Group commit, on a thread of its own: takes what the outbox appended since the last write, puts it on disk with one
 * fsync, then sends the new readings. While one write is under way the sampler keeps appending, so under load one
 * fsync covers many readings; the sampler never waits for the disk. Starts before the sampling loop and stops after
 * it.
 */
@Component
class OutboxFlusher implements SmartLifecycle {

	private static final Logger LOG = LoggerFactory.getLogger(OutboxFlusher.class);

	/** How long settlements may wait in the buffer while no new reading comes; lost, they only cost re-sends. */
	static final Duration IDLE_WRITE = Duration.ofSeconds(1);

	/** How long a failed write (a full or failing disk) waits before it is tried again. */
	private static final Duration RETRY = Duration.ofSeconds(1);

	private final DurableOutbox outbox;

	private final ReadingPublisher publisher;

	private volatile boolean running;

	private volatile @Nullable Thread thread;

	/** Whether readings are being kept unsent, the broker away: said once when it starts, once when it ends. */
	private boolean keeping;

	OutboxFlusher(DurableOutbox outbox, ReadingPublisher publisher) {
		this.outbox = outbox;
		this.publisher = publisher;
	}

	private void run() {
		while (this.running) {
			DurableOutbox.Batch batch;
			try {
				batch = this.outbox.nextBatch(IDLE_WRITE);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			if (!writeUntilDone(batch)) {
				return;
			}
			for (Reading reading : batch.readings()) {
				// given up, numbered again, or already sent by the re-sender while the broker was away
				if (this.outbox.isUnsent(reading.seq())) {
					send(reading);
				}
			}
		}
	}

	/** @return false when stopped before the batch could be written (it is then not sent) */
	private boolean writeUntilDone(DurableOutbox.Batch batch) {
		boolean failed = false;
		while (true) {
			try {
				this.outbox.write(batch);
				if (failed) {
					LOG.info("Outbox written again: sending the readings kept meanwhile");
				}
				return true;
			}
			catch (UncheckedIOException ex) {
				if (!failed) {
					failed = true;
					LOG.error("Cannot write the outbox, no new reading is sent until it can: {}",
							ex.getCause().getMessage());
				}
			}
			try {
				Thread.sleep(RETRY.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
			if (!this.running) {
				return false;
			}
		}
	}

	private void send(Reading reading) {
		String dbfs = String.format(Locale.ROOT, "%.1f", reading.dbfs());
		if (this.publisher.send(reading)) {
			if (this.keeping) {
				this.keeping = false;
				LOG.info("The broker is reachable again: publishing from seq={}", reading.seq());
			}
			LOG.info("Published seq={} level={} dBFS{}", reading.seq(), dbfs,
					(reading.levels() != null) ? " " + reading.levels().summary() : "");
		}
		else {
			// one line per outage, not per reading: the re-sender says when the kept readings go out
			if (!this.keeping) {
				this.keeping = true;
				LOG.warn("Keeping readings for re-sending from seq={}: the broker is not reachable", reading.seq());
			}
			LOG.debug("Kept seq={} level={} dBFS for re-sending", reading.seq(), dbfs);
		}
	}

	@Override
	public synchronized void start() {
		if (this.thread != null) {
			return;
		}
		this.running = true;
		Thread thread = new Thread(this::run, "outbox-flusher");
		this.thread = thread;
		thread.start();
	}

	@Override
	public synchronized void stop() {
		Thread thread = this.thread;
		if (thread == null) {
			return;
		}
		this.running = false;
		this.outbox.wake();
		try {
			// no interrupt: it would close the log's channel mid-write; a send waits at most for the in-flight window
			thread.join(Duration.ofSeconds(15).toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.thread = null;
	}

	@Override
	public boolean isRunning() {
		return this.thread != null;
	}

	/** Just before the sampling loop starts, just after it stops: what it keeps goes to disk and out. */
	@Override
	public int getPhase() {
		return Integer.MAX_VALUE - 1;
	}

}
