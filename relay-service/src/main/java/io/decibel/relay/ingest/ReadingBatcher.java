package io.decibel.relay.ingest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

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
 * or when its first delivery has waited {@code batchWindow}, so that latency stays low at low rates. The queue is
 * bounded: when the writer falls behind, the MQTT client's thread waits here, and the broker holds the rest.
 */
class ReadingBatcher implements SmartLifecycle {

	private static final Logger LOG = LoggerFactory.getLogger(ReadingBatcher.class);

	private final BlockingQueue<Message<?>> deliveries;

	private final int batchSize;

	private final long batchWindowNanos;

	private final IntegrationFlow batchesInFlow;

	private volatile @Nullable Thread writer;

	ReadingBatcher(RelayProperties relay, IntegrationFlow batchesInFlow) {
		this.batchSize = relay.batchSize();
		this.batchWindowNanos = relay.batchWindow().toNanos();
		this.deliveries = new LinkedBlockingQueue<>(4 * relay.batchSize());
		this.batchesInFlow = batchesInFlow;
	}

	/** Called on the MQTT client's thread for every delivery. */
	void add(Message<?> delivery) {
		try {
			this.deliveries.put(delivery);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Stopping: delivery left unacknowledged for the broker", ex);
		}
	}

	private void run() {
		MessageChannel batches = this.batchesInFlow.getInputChannel();
		while (this.writer == Thread.currentThread()) {
			try {
				Message<?> first = this.deliveries.poll(100, TimeUnit.MILLISECONDS);
				if (first == null) {
					continue;
				}
				List<Message<?>> batch = new ArrayList<>(this.batchSize);
				batch.add(first);
				long closesAt = System.nanoTime() + this.batchWindowNanos;
				while (batch.size() < this.batchSize) {
					if (this.deliveries.drainTo(batch, this.batchSize - batch.size()) == 0) {
						Message<?> next = this.deliveries.poll(closesAt - System.nanoTime(), TimeUnit.NANOSECONDS);
						if (next == null) {
							break;
						}
						batch.add(next);
					}
				}
				batches.send(new GenericMessage<>(new ReadingBatch(batch)));
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

}
