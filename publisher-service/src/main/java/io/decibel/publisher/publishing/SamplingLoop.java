package io.decibel.publisher.publishing;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.decibel.contract.Reading;
import io.decibel.contract.SoundLevels;
import io.decibel.publisher.PublisherProperties;
import io.decibel.publisher.PublisherProperties.OutboxFull;
import io.decibel.publisher.calibration.DeviceCalibration;
import io.decibel.publisher.sampling.NoiseLevel;
import io.decibel.publisher.sampling.NoiseSource;
import io.decibel.publisher.sampling.SoundLevelMeter;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The device's heartbeat, on a thread of its own: sample a window, measure it (its RMS, and its A-weighted levels as
 * a sound level meter does, {@link SoundLevelMeter}), make it a reading with the next seq and keep it in the outbox, which puts it on disk and then publishes it ({@link OutboxFlusher}). Starts once everything else
 * runs (the MQTT connection, the flows) and stops first.
 * <p>
 * A full outbox is never silent: under {@code block} the loop says when it starts waiting for room and when it
 * resumes; under {@code drop-oldest} each reading given up is logged with its seq and announced as a
 * {@link ReadingGivenUp} event.
 */
@Component
class SamplingLoop implements SmartLifecycle {

	private static final Logger LOG = LoggerFactory.getLogger(SamplingLoop.class);

	/** How often a sampler waiting for room in the outbox looks whether it is being stopped. */
	private static final Duration ROOM_CHECK = Duration.ofMillis(100);

	private final NoiseSource source;

	private final SoundLevelMeter meter;

	private final boolean calibrating;

	private final DurableOutbox outbox;

	private final PendingReadings pending;

	private final ApplicationEventPublisher events;

	private final String deviceId;

	private final long windowNanos;

	private final @Nullable Long count;

	private final Clock clock = Clock.systemUTC();

	private volatile @Nullable Thread thread;

	private volatile CountDownLatch stopSignal = new CountDownLatch(1);

	SamplingLoop(NoiseSource source, DurableOutbox outbox, PendingReadings pending, ApplicationEventPublisher events,
			PublisherProperties properties, DeviceCalibration calibration) {
		this.source = source;
		this.meter = new SoundLevelMeter(source.sampleRate(), calibration.offset());
		this.calibrating = properties.calibrating();
		this.outbox = outbox;
		this.pending = pending;
		this.events = events;
		this.deviceId = properties.deviceId();
		this.windowNanos = properties.window().toNanos();
		this.count = properties.count();
	}

	@Override
	public synchronized void start() {
		// in calibration mode the source is the calibration's (CalibrationMode)
		if (this.thread != null || this.calibrating) {
			return;
		}
		this.stopSignal = new CountDownLatch(1);
		Thread thread = new Thread(this::run, "sampling");
		this.thread = thread;
		thread.start();
	}

	@Override
	public synchronized void stop() {
		Thread thread = this.thread;
		if (thread == null) {
			return;
		}
		// no interrupt: a live read ends with its window
		this.stopSignal.countDown();
		try {
			thread.join(TimeUnit.NANOSECONDS.toMillis(this.windowNanos) + 5_000);
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

	/** Last to start, first to stop: the flows it feeds are up for as long as it runs. */
	@Override
	public int getPhase() {
		return Integer.MAX_VALUE;
	}

	private void run() {
		long taken = 0;
		long windowEnd = System.nanoTime() + this.windowNanos;
		while (!stopping() && (this.count == null || taken < this.count)) {
			try {
				if (!awaitRoom()) {
					break;
				}
				short[] samples = this.source.read();
				if (!this.source.live()) {
					if (!sleepUntil(windowEnd)) {
						break;
					}
				}
				// a late window (a slow disk, a long GC) starts the rhythm again instead of bursting to catch up
				long now = System.nanoTime();
				windowEnd = ((now - windowEnd > this.windowNanos) ? now : windowEnd) + this.windowNanos;
				if (keep(NoiseLevel.of(samples), this.meter.measure(samples))) {
					taken++;
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
			catch (RuntimeException ex) {
				LOG.warn("Sampling failed, trying again next window: {}", ex.getMessage());
				if (!sleepUntil(System.nanoTime() + this.windowNanos)) {
					break;
				}
			}
		}
		if (this.count != null && taken == this.count) {
			LOG.info("Sampling stopped after {} readings", taken);
		}
	}

	/** @return false when the outbox filled up meanwhile (under {@code block}): the window is not kept */
	private boolean keep(NoiseLevel level, SoundLevels levels) {
		Optional<DurableOutbox.Kept> kept = this.outbox.keep((seq) -> new Reading(this.deviceId, seq,
				this.clock.instant(), TimeUnit.NANOSECONDS.toMillis(this.windowNanos), level.rms(), level.dbfs(),
				level.peak(), this.source.name(), levels), System.nanoTime());
		if (kept.isEmpty()) {
			return false;
		}
		Optional<Reading> givenUp = kept.get().givenUp();
		if (givenUp.isPresent()) {
			LOG.warn("Outbox full ({} readings waiting for their ACK): gave up seq={}, the oldest, to keep seq={}",
					this.pending.capacity(), givenUp.get().seq(), kept.get().reading().seq());
			this.events.publishEvent(new ReadingGivenUp(givenUp.get(), "outbox full"));
		}
		return true;
	}

	/**
	 * Under {@code block}, waits while the outbox is full, saying so once when it starts and once when it ends.
	 * @return false when stopped while waiting
	 */
	private boolean awaitRoom() throws InterruptedException {
		if (!this.pending.isFull() || this.pending.whenFull() != OutboxFull.BLOCK) {
			return true;
		}
		long since = System.nanoTime();
		LOG.warn("Outbox full ({} readings waiting for their ACK): sampling waits for room", this.pending.capacity());
		while (!this.pending.awaitRoom(ROOM_CHECK)) {
			if (stopping()) {
				return false;
			}
		}
		LOG.info("Outbox has room again: sampling resumes after {} ms",
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since));
		return true;
	}

	private boolean stopping() {
		return this.stopSignal.getCount() == 0;
	}

	/** @return false when stopped while waiting */
	private boolean sleepUntil(long nanoTime) {
		try {
			return !this.stopSignal.await(nanoTime - System.nanoTime(), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

}
