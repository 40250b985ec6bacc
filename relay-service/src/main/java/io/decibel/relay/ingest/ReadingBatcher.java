package io.decibel.relay.ingest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.support.GenericMessage;

/**
 * Gathers deliveries into batches for one writer thread: a batch closes when it holds {@code batchSize} deliveries
 * or when its first delivery has waited {@code batchWindow} since it arrived, so that latency stays low at low
 * rates. The window counts from the arrival, not from when the writer takes the delivery: what arrived while the
 * writer was storing the previous batch has waited already, and goes out with whatever else is queued without
 * waiting again. The queue is bounded: when the writer falls behind, the MQTT client's thread waits here, and the
 * broker holds the rest.
 */
class ReadingBatcher implements SmartLifecycle {

	private static final Logger LOG = LoggerFactory.getLogger(ReadingBatcher.class);

	/** The longest the writer waits for deliveries before it looks whether it is asked to stop. */
	private static final long STOP_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	private final BlockingQueue<Arrival> deliveries;

	private final int batchSize;

	private final long batchWindowNanos;

	private final IntegrationFlow batchesInFlow;

	private final LongSupplier nanoClock;

	private volatile @Nullable Thread writer;

	ReadingBatcher(RelayProperties relay, IntegrationFlow batchesInFlow) {
		this(relay, batchesInFlow, System::nanoTime);
	}

	ReadingBatcher(RelayProperties relay, IntegrationFlow batchesInFlow, LongSupplier nanoClock) {
		this.nanoClock = nanoClock;
		this.batchSize = relay.batchSize();
		this.batchWindowNanos = relay.batchWindow().toNanos();
		this.deliveries = new LinkedBlockingQueue<>(4 * relay.batchSize());
		this.batchesInFlow = batchesInFlow;
	}

	/** Called on the MQTT client's thread for every delivery. */
	void add(Message<?> delivery) {
		try {
			this.deliveries.put(new Arrival(delivery, this.nanoClock.getAsLong()));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Stopping: delivery left unacknowledged for the broker", ex);
		}
	}

	private boolean isWriter() {
		return this.writer == Thread.currentThread();
	}

	private void run() {
		MessageChannel batches = this.batchesInFlow.getInputChannel();
		while (isWriter()) {
			try {
				Arrival first = this.deliveries.poll(STOP_CHECK_NANOS, TimeUnit.NANOSECONDS);
				if (first == null) {
					continue;
				}
				List<Arrival> batch = new ArrayList<>(this.batchSize);
				batch.add(first);
				long closesAt = first.nanoTime() + this.batchWindowNanos;
				// a stop closes the batch early: the batch in hand is written, not left waiting out its window
				while (batch.size() < this.batchSize && isWriter()) {
					if (this.deliveries.drainTo(batch, this.batchSize - batch.size()) == 0) {
						long wait = closesAt - this.nanoClock.getAsLong();
						if (wait <= 0) {
							break;
						}
						Arrival next = this.deliveries.poll(Math.min(wait, STOP_CHECK_NANOS), TimeUnit.NANOSECONDS);
						if (next != null) {
							batch.add(next);
						}
					}
				}
				batches.send(new GenericMessage<>(new ReadingBatch(batch.stream().map(Arrival::delivery).toList())));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			catch (RuntimeException ex) {
				// the batch stays unacknowledged: the broker delivers it again after a reconnect
				LOG.error("A batch of readings could not be handled", ex);
			}
		}
	}

	@Override
	public void start() {
		Thread thread = new Thread(this::run, "readings-writer");
		this.writer = thread;
		thread.start();
	}

	/** Lets the batch in hand finish; deliveries still queued stay unacknowledged for the broker to send again. */
	@Override
	public void stop() {
		Thread thread = this.writer;
		this.writer = null;
		if (thread != null) {
			try {
				thread.join(Duration.ofSeconds(30).toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	public boolean isRunning() {
		return this.writer != null;
	}

	/** Stops after the inbound adapter (no more deliveries), before the MQTT connection. */
	@Override
	public int getPhase() {
		return Integer.MAX_VALUE / 4;
	}

	private record Arrival(Message<?> delivery, long nanoTime) {
	}

}
