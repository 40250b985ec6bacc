package io.decibel.relay.readings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import io.decibel.contract.mqtt.ConnectionEpoch;
import io.decibel.contract.mqtt.ConnectionEpoch.BoundAcknowledgment;
import io.decibel.relay.RelayProperties;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.integration.IntegrationMessageHeaderAccessor;
import org.springframework.integration.acks.SimpleAcknowledgment;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.support.GenericMessage;

/**
 * Gathers deliveries into batches for one writer thread: a batch closes when it holds {@code batchSize} deliveries
 * or when its first delivery has waited {@code batchWindow} since it arrived, so that latency stays low at low
 * rates. The window counts from the arrival, not from when the writer takes the delivery: what arrived while the
 * writer was storing the previous batch has waited already, and goes out with whatever else is queued without
 * waiting again.
 * <p>
 * {@link #add} never waits: it runs on Paho's callback thread, and a callback thread that waits stops Paho's reading
 * thread, lets keep-alive lapse and leaves Paho's reconnect hanging (docs/architecture.md). What bounds the queue is
 * the relay's MQTT Receive Maximum: the broker keeps the rest while the writer falls behind. The queue itself refuses
 * nothing: a delivery refused would stay unacknowledged on the connection and hold a place of the broker's window
 * until the next reconnect, and Mosquitto 2.0, which sends beyond the window while PUBACKs and new readings cross,
 * stops sending altogether once enough places are held so. Deliveries beyond the window are counted, and logged once
 * per connection.
 * <p>
 * Each delivery's acknowledgment is bound to the connection it came on ({@link ConnectionEpoch}). Deliveries still
 * queued from a connection that is gone are dropped when the next connection's first delivery arrives: they could
 * never be acknowledged, and the broker sends them again.
 * <p>
 * A batch that fails unexpectedly is tried again, with back-off, until it goes through: its deliveries cannot be left
 * behind, since the broker never sends them again on this connection and each keeps a place in the Receive Maximum
 * window. A batch that never goes through holds the writer up, and {@link ReadingsWriterHealthIndicator} says so.
 */
class ReadingBatcher implements SmartLifecycle {

	private static final Logger LOG = LoggerFactory.getLogger(ReadingBatcher.class);

	/** The longest the writer waits for deliveries before it looks whether it is asked to stop. */
	private static final long STOP_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	private static final Duration FIRST_RETRY = Duration.ofMillis(100);

	private final BlockingQueue<Arrival> deliveries;

	private final int window;

	private final int batchSize;

	private final long batchWindowNanos;

	private final Duration retryBackoff;

	private final IntegrationFlow batchesInFlow;

	private final ConnectionEpoch connection;

	private final LongSupplier nanoClock;

	private volatile @Nullable Thread writer;

	/** How many deliveries the writer has in hand (0: none), since when ({@link System#nanoTime()}). */
	private volatile int inHand;

	private volatile long inHandSince;

	private volatile @Nullable Throwable death;

	private final AtomicLong beyondWindow = new AtomicLong();

	private final AtomicLong stale = new AtomicLong();

	private final AtomicLong failedAttempts = new AtomicLong();

	/** Deliveries taken from the broker and not yet acknowledged (or given up), and the most there ever were. */
	private final AtomicInteger unacknowledged = new AtomicInteger();

	private final AtomicInteger peakUnacknowledged = new AtomicInteger();

	// on the MQTT client's callback thread only
	private long lastEpoch = -1;

	private long beyondLoggedFor = -1;

	/**
	 * @param window the Receive Maximum the relay's connection announces: the most deliveries the broker should have
	 * unacknowledged with it
	 */
	ReadingBatcher(RelayProperties relay, int window, ConnectionEpoch connection, IntegrationFlow batchesInFlow) {
		this(relay, window, connection, batchesInFlow, System::nanoTime);
	}

	ReadingBatcher(RelayProperties relay, int window, ConnectionEpoch connection, IntegrationFlow batchesInFlow,
			LongSupplier nanoClock) {
		this.nanoClock = nanoClock;
		this.batchSize = relay.batchSize();
		this.batchWindowNanos = relay.batchWindow().toNanos();
		this.retryBackoff = relay.retryBackoff();
		this.window = window;
		this.deliveries = new LinkedBlockingQueue<>();
		this.connection = connection;
		this.batchesInFlow = batchesInFlow;
	}

	/** Called on the MQTT client's callback thread for every delivery; never waits, never throws. */
	synchronized void add(Message<?> delivery) {
		long arrival = this.nanoClock.getAsLong();
		SimpleAcknowledgment acknowledgment = delivery.getHeaders()
			.get(IntegrationMessageHeaderAccessor.ACKNOWLEDGMENT_CALLBACK, SimpleAcknowledgment.class);
		long epoch;
		Message<?> bound = delivery;
		Counted counted = null;
		if (acknowledgment != null) {
			BoundAcknowledgment boundAcknowledgment = this.connection.bind(acknowledgment);
			epoch = boundAcknowledgment.epoch();
			counted = new Counted(boundAcknowledgment);
			bound = MessageBuilder.fromMessage(delivery)
				.setHeader(IntegrationMessageHeaderAccessor.ACKNOWLEDGMENT_CALLBACK, counted)
				.build();
		}
		else {
			epoch = this.connection.current();
		}
		if (epoch != this.lastEpoch) {
			dropStale(epoch);
			this.lastEpoch = epoch;
		}
		if (counted != null) {
			// counted before the writer can take it and acknowledge it
			int held = this.unacknowledged.incrementAndGet();
			this.peakUnacknowledged.accumulateAndGet(held, Math::max);
			beyondWindow(held, epoch);
		}
		this.deliveries.add(new Arrival(bound, arrival, epoch, counted));
	}

	private void beyondWindow(int held, long epoch) {
		if (held <= this.window) {
			return;
		}
		this.beyondWindow.incrementAndGet();
		if (this.beyondLoggedFor != epoch) {
			this.beyondLoggedFor = epoch;
			LOG.warn("The broker has sent {} deliveries the relay has not acknowledged yet, beyond its Receive Maximum "
					+ "of {} (decibel.mqtt.receive-maximum): taken all the same; counted, and logged once per connection",
					held, this.window);
		}
	}

	/** The first delivery of a new connection: what is queued from an earlier one can never be acknowledged. */
	private void dropStale(long epoch) {
		List<Arrival> stale = this.deliveries.stream().filter((arrival) -> arrival.epoch() != epoch).toList();
		if (!stale.isEmpty() && this.deliveries.removeIf((arrival) -> arrival.epoch() != epoch)) {
			// never to be acknowledged: no longer counted as waiting for it either
			stale.forEach(Arrival::giveUp);
			int dropped = stale.size();
			this.stale.addAndGet(dropped);
			LOG.info("Dropped {} queued deliveries of an earlier MQTT connection: the broker sends them again on this "
					+ "one", dropped);
		}
	}

	private boolean isWriter() {
		return this.writer == Thread.currentThread();
	}

	private void run() {
		MessageChannel batches = this.batchesInFlow.getInputChannel();
		try {
			while (isWriter()) {
				List<Message<?>> batch = nextBatch();
				if (batch != null) {
					write(batches, batch);
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (Throwable ex) {
			this.death = ex;
			LOG.error("The readings writer died: no more readings are stored; liveness is DOWN so that the relay is "
					+ "restarted", ex);
		}
	}

	private @Nullable List<Message<?>> nextBatch() throws InterruptedException {
		Arrival first = this.deliveries.poll(STOP_CHECK_NANOS, TimeUnit.NANOSECONDS);
		if (first == null) {
			return null;
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
		return batch.stream().<Message<?>>map(Arrival::delivery).toList();
	}

	/** Sends the batch on, again and again while it fails, until it goes through or the relay stops. */
	private void write(MessageChannel batches, List<Message<?>> deliveries) throws InterruptedException {
		this.inHandSince = System.nanoTime();
		this.inHand = deliveries.size();
		try {
			Message<ReadingBatch> batch = new GenericMessage<>(new ReadingBatch(deliveries));
			Duration pause = FIRST_RETRY;
			for (int attempt = 1; isWriter(); attempt++) {
				try {
					batches.send(batch);
					if (attempt > 1) {
						LOG.info("The batch of {} went through on attempt {}", deliveries.size(), attempt);
					}
					return;
				}
				catch (RuntimeException ex) {
					this.failedAttempts.incrementAndGet();
					if (attempt == 1) {
						LOG.error("A batch of {} could not be handled; trying it again until it can (its deliveries stay"
								+ " unacknowledged meanwhile)", deliveries.size(), ex);
					}
					pause(pause);
					pause = (pause.compareTo(this.retryBackoff) < 0) ? pause.multipliedBy(2) : this.retryBackoff;
				}
			}
			LOG.info("Stopping: a batch of {} left unacknowledged for the broker to deliver again", deliveries.size());
		}
		finally {
			this.inHand = 0;
		}
	}

	private void pause(Duration pause) throws InterruptedException {
		long until = System.nanoTime() + pause.toNanos();
		while (isWriter() && System.nanoTime() < until) {
			Thread.sleep(Math.min(50, pause.toMillis()));
		}
	}

	/** Deliveries queued and in the writer's hand. */
	int held() {
		return this.deliveries.size() + this.inHand;
	}

	/** How many deliveries the writer has in hand: 0 between batches. */
	int inHand() {
		return this.inHand;
	}

	/** Since when ({@link System#nanoTime()}) the writer has held its batch in hand; meaningless when it holds none. */
	long inHandSince() {
		return this.inHandSince;
	}

	/** Why the writer thread ended, when it ended on a failure. */
	@Nullable Throwable death() {
		return this.death;
	}

	/** Deliveries taken from the broker and not yet acknowledged: at most the Receive Maximum. */
	int unacknowledged() {
		return this.unacknowledged.get();
	}

	/** The most deliveries there ever were taken from the broker and not yet acknowledged. */
	int peakUnacknowledged() {
		return this.peakUnacknowledged.get();
	}

	/** Deliveries taken while the relay held its Receive Maximum already. */
	long beyondWindow() {
		return this.beyondWindow.get();
	}

	/** Queued deliveries of an earlier connection, dropped. */
	long stale() {
		return this.stale.get();
	}

	/** Attempts to handle a batch that failed unexpectedly. */
	long failedAttempts() {
		return this.failedAttempts.get();
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

	private record Arrival(Message<?> delivery, long nanoTime, long epoch, @Nullable Counted counted) {

		void giveUp() {
			if (this.counted != null) {
				this.counted.settle();
			}
		}

	}

	/** A delivery's acknowledgment that keeps the count of unacknowledged deliveries. */
	private final class Counted implements SimpleAcknowledgment {

		private final BoundAcknowledgment acknowledgment;

		private final AtomicBoolean settled = new AtomicBoolean();

		Counted(BoundAcknowledgment acknowledgment) {
			this.acknowledgment = acknowledgment;
		}

		@Override
		public void acknowledge() {
			// settled first: the broker may answer the PUBACK with the next delivery at once
			settle();
			this.acknowledgment.acknowledge();
		}

		void settle() {
			if (this.settled.compareAndSet(false, true)) {
				ReadingBatcher.this.unacknowledged.decrementAndGet();
			}
		}

	}

}
