package io.decibel.relay.readings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import io.decibel.mqtt.ConnectionEpoch;
import io.decibel.mqtt.ConnectionEpoch.BoundAcknowledgment;
import io.decibel.relay.RelayProperties;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.integration.IntegrationMessageHeaderAccessor;
import org.springframework.integration.acks.SimpleAcknowledgment;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.support.GenericMessage;

/**
 * Gathers deliveries into batches for one writer thread, the way a database's group commit does: a delivery that
 * finds the writer free is written at once, alone; deliveries that arrive while a batch is being written wait, and
 * the writer takes them all (up to {@code batchSize}) as its next batch. Idle, the relay answers as fast as one
 * commit allows; busy, each commit carries what a commit's time brought. An optional {@code batchWindow} lets a
 * batch's first delivery wait for more, counted from its arrival (what arrived during the last commit has waited
 * already); none by default.
 * <p>
 * The relay holds at most {@code maxUnacknowledged} deliveries and {@code maxUnacknowledgedBytes} of payload,
 * unacknowledged: Mosquitto 2.0 sends beyond the Receive Maximum. A delivery beyond them waits in {@link #add}, off
 * the monitor, until the writer has acknowledged a batch: Paho's callback thread stops, then its reading thread, and
 * TCP holds the broker back; PUBACKs still go out, in order. The wait lasts at most {@code maxHoldWait}, and half the
 * keep-alive (the socket must be read in time for the PINGRESP). Beyond it (the database stuck) the delivery and
 * every later one of its connection are turned away — not acknowledged, not held: the broker keeps them in flight —
 * and once the writer has stored all it held it renews the connection ({@link ConnectionEpoch#renew}), on which the
 * broker sends them again ({@code DUPLICATE} for a second copy). A delivery whose connection goes while it waits is
 * given up: the broker sends it again on the next.
 * <p>
 * A QoS 0 delivery (readings are QoS 1 by contract; a device may not keep to it) is held to the same limits and
 * waits the same way; beyond the wait it is dropped, as the broker keeps no QoS 0 message, and so is every later one
 * until the relay has caught up. Its device, getting no ACK, sends it again.
 * <p>
 * Each delivery's acknowledgment is bound to the connection it came on ({@link ConnectionEpoch}). Deliveries still
 * queued from a connection that is gone are dropped when the next connection's first delivery arrives: they could
 * never be acknowledged, and the broker sends them again.
 * <p>
 * A batch that fails unexpectedly is tried again, with back-off, until it goes through: its deliveries cannot be left
 * behind, since the broker never sends them again on this connection. A batch that never goes through holds the
 * writer up, and {@link ReadingsWriterHealthIndicator} says so.
 */
class ReadingBatcher implements SmartLifecycle {

	private static final Logger LOG = LoggerFactory.getLogger(ReadingBatcher.class);

	/** The most topics of QoS 0 deliveries named in the log, and remembered for it. */
	private static final int MAX_AT_MOST_ONCE_TOPICS = 1000;

	/** The longest the writer waits for deliveries before it looks whether it is asked to stop. */
	private static final long STOP_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	/**
	 * The longest a delivery waiting for room waits before it looks again whether its connection is still there and
	 * the relay running: the writer says when it made room, but nobody says when a connection goes.
	 */
	private static final long ROOM_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	private final BlockingQueue<Arrival> deliveries;

	private final int window;

	private final int maxUnacknowledged;

	private final long maxUnacknowledgedBytes;

	private final long holdWaitNanos;

	/** What a delivery waiting for room waits on; the writer signals it once per batch acknowledged, and on stop. */
	private final Object room = new Object();

	private volatile boolean stopping;

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

	private final AtomicLong undeliveredReplies = new AtomicLong();

	/** Deliveries taken from the broker and not yet acknowledged (or given up), and the most there ever were. */
	private final AtomicInteger unacknowledged = new AtomicInteger();

	private final AtomicInteger peakUnacknowledged = new AtomicInteger();

	/** The payload bytes of the deliveries counted in {@link #unacknowledged}. */
	private final AtomicLong unacknowledgedBytes = new AtomicLong();

	private final AtomicLong turnedAway = new AtomicLong();

	private final AtomicLong waited = new AtomicLong();

	/** QoS 0 deliveries taken and not yet stored (or given up), and their payload bytes: held like the others. */
	private final AtomicInteger atMostOnce = new AtomicInteger();

	private final AtomicLong atMostOnceBytes = new AtomicLong();

	private final AtomicLong atMostOnceDropped = new AtomicLong();

	/**
	 * Whether QoS 0 deliveries are being dropped, from the first drop until the relay holds nothing again (an
	 * episode); on the MQTT client's callback thread only.
	 */
	private volatile boolean droppingAtMostOnce;

	/** The topics QoS 0 deliveries came on, each named once in the log; on the MQTT client's callback thread only. */
	private final Set<String> atMostOnceTopics = new HashSet<>();

	private final AtomicLong renewals = new AtomicLong();

	/** The connection whose deliveries are turned away, until it is renewed; -1: none. */
	private volatile long refusing = -1;

	/** The connection last renewed by the writer, so that it is renewed once. */
	private long renewed = -1;

	// under the monitor
	private long lastEpoch = -1;

	private long beyondLoggedFor = -1;

	/** Deliveries turned away in the current episode. */
	private long turnedAwayInEpisode;

	/**
	 * @param window the Receive Maximum the relay's connection announces: the most deliveries the broker should have
	 * unacknowledged with it
	 * @param keepAlive the relay's MQTT keep-alive (0: none): a delivery waits for room at most half of it
	 */
	ReadingBatcher(RelayProperties relay, int window, Duration keepAlive, ConnectionEpoch connection,
			IntegrationFlow batchesInFlow) {
		this(relay, window, keepAlive, connection, batchesInFlow, System::nanoTime);
	}

	ReadingBatcher(RelayProperties relay, int window, Duration keepAlive, ConnectionEpoch connection,
			IntegrationFlow batchesInFlow, LongSupplier nanoClock) {
		this.nanoClock = nanoClock;
		this.batchSize = relay.batchSize();
		this.batchWindowNanos = relay.batchWindow().toNanos();
		this.retryBackoff = relay.retryBackoff();
		this.window = window;
		this.maxUnacknowledged = relay.maxUnacknowledged();
		this.maxUnacknowledgedBytes = relay.maxUnacknowledgedBytes().toBytes();
		this.holdWaitNanos = holdWait(relay.maxHoldWait(), keepAlive).toNanos();
		this.deliveries = new LinkedBlockingQueue<>();
		this.connection = connection;
		this.batchesInFlow = batchesInFlow;
		if (this.maxUnacknowledged < window) {
			LOG.warn("decibel.relay.max-unacknowledged ({}) is below the Receive Maximum ({}): deliveries a broker may "
					+ "rightly send will wait for room, and be turned away (the connection renewed) when that takes "
					+ "longer than decibel.relay.max-hold-wait", this.maxUnacknowledged, window);
		}
	}

	/**
	 * How long a delivery may wait for room: while it waits, Paho's reading thread reads nothing, not even the
	 * PINGRESP that keep-alive waits for, so at most half the keep-alive.
	 */
	private static Duration holdWait(Duration configured, Duration keepAlive) {
		if (configured.isNegative()) {
			return Duration.ZERO;
		}
		Duration most = keepAlive.dividedBy(2);
		if (!keepAlive.isZero() && !keepAlive.isNegative() && configured.compareTo(most) > 0) {
			LOG.info("decibel.relay.max-hold-wait ({}) is more than half the MQTT keep-alive ({}): a delivery waits for "
					+ "room at most {}", configured, keepAlive, most);
			return most;
		}
		return configured;
	}

	/**
	 * Called on the MQTT client's callback thread for every delivery; never throws. Waits, up to the hold wait, while
	 * the relay holds all it may.
	 */
	void add(Message<?> delivery) {
		long arrival = this.nanoClock.getAsLong();
		SimpleAcknowledgment acknowledgment = delivery.getHeaders()
			.get(IntegrationMessageHeaderAccessor.ACKNOWLEDGMENT_CALLBACK, SimpleAcknowledgment.class);
		BoundAcknowledgment bound = (acknowledgment != null) ? this.connection.bind(acknowledgment) : null;
		long epoch = (bound != null) ? bound.epoch() : this.connection.current();
		int size = (delivery.getPayload() instanceof byte[] bytes) ? bytes.length : 0;
		// the adapter gives a QoS 0 delivery an acknowledgment too (one that sends nothing)
		Integer qos = delivery.getHeaders().get(MqttHeaders.RECEIVED_QOS, Integer.class);
		boolean atMostOnce = bound == null || (qos != null && qos == 0);
		long deadline = 0;
		boolean waited = false;
		while (true) {
			if (mayWait(epoch, size, atMostOnce)) {
				if (!waited) {
					// what is queued of an earlier connection makes no room by waiting: dropped first
					synchronized (this) {
						if (!isOfCurrentConnection(epoch, atMostOnce)) {
							return;
						}
					}
					this.waited.incrementAndGet();
					waited = true;
					deadline = System.nanoTime() + this.holdWaitNanos;
				}
				if (!awaitRoom(epoch, size, deadline)) {
					giveUp(atMostOnce);
					return;
				}
			}
			synchronized (this) {
				if (!isOfCurrentConnection(epoch, atMostOnce)) {
					return;
				}
				// the room taken meanwhile (by an adopted session's callback thread): wait on, while the wait lasts
				if (mayWait(epoch, size, atMostOnce) && (!waited || deadline - System.nanoTime() > 0)) {
					continue;
				}
				if (atMostOnce) {
					addAtMostOnce(delivery, bound, arrival, epoch, size);
				}
				else {
					addUnacknowledged(delivery, Objects.requireNonNull(bound), arrival, epoch, size);
				}
				return;
			}
		}
	}

	/**
	 * Whether a delivery is of the newest connection seen; the first of a new one drops what is queued of earlier
	 * ones. A delivery of an earlier one (its callback thread still running) is given up: the broker sends it again.
	 */
	private boolean isOfCurrentConnection(long epoch, boolean atMostOnce) {
		if (epoch > this.lastEpoch) {
			dropStale(epoch);
			this.lastEpoch = epoch;
		}
		else if (epoch < this.lastEpoch && !atMostOnce) {
			this.stale.incrementAndGet();
			return false;
		}
		return true;
	}

	/**
	 * Whether a delivery is to wait for room: the relay holds all it may, and this connection does not turn deliveries
	 * away already (nor are QoS 0 ones being dropped): then the writer is stuck, and every delivery would wait it out
	 * again.
	 */
	private boolean mayWait(long epoch, int size, boolean atMostOnce) {
		return this.holdWaitNanos > 0 && !hasRoom(epoch, size)
				&& !(atMostOnce ? this.droppingAtMostOnce && holding() > 0 : this.refusing == epoch);
	}

	/**
	 * Waits for the writer to make room, outside the monitor: Paho's inbound queue fills and its reading thread stops
	 * reading the socket, so that TCP holds the broker back.
	 * @return whether to go on with the delivery: there is room, or the wait is over and it is to be turned away (or
	 * dropped); not when its connection went, or the relay stops, meanwhile
	 */
	private boolean awaitRoom(long epoch, int size, long deadline) {
		synchronized (this.room) {
			while (!hasRoom(epoch, size)) {
				if (this.stopping || !this.connection.isCurrent(epoch)) {
					return false;
				}
				long left = deadline - System.nanoTime();
				if (left <= 0) {
					return true;
				}
				try {
					TimeUnit.NANOSECONDS.timedWait(this.room, Math.min(left, ROOM_CHECK_NANOS));
				}
				catch (InterruptedException ex) {
					// Paho stopping the callback thread of a connection that is lost
					Thread.currentThread().interrupt();
					return false;
				}
			}
		}
		return true;
	}

	/** A delivery whose connection went (or the relay stops) while it waited for room: neither held nor acknowledged. */
	private void giveUp(boolean atMostOnce) {
		if (atMostOnce) {
			this.atMostOnceDropped.incrementAndGet();
		}
		else {
			// the broker sends it again on the next connection
			this.stale.incrementAndGet();
		}
		LOG.debug("Gave up a delivery that waited for room: its connection is gone, or the relay stops");
	}

	/** Tells the deliveries waiting for room that there may be some. */
	private void roomMade() {
		synchronized (this.room) {
			this.room.notifyAll();
		}
	}

	private void addUnacknowledged(Message<?> delivery, BoundAcknowledgment bound, long arrival, long epoch,
			int size) {
		if (!hasRoom(epoch, size)) {
			turnAway(epoch);
			return;
		}
		Counted counted = new Counted(bound, size, false);
		// counted before the writer can take it and acknowledge it
		int held = this.unacknowledged.incrementAndGet();
		this.unacknowledgedBytes.addAndGet(size);
		this.peakUnacknowledged.accumulateAndGet(held, Math::max);
		beyondWindow(held, epoch);
		this.deliveries.add(new Arrival(delivery, arrival, epoch, counted));
	}

	/**
	 * A QoS 0 delivery (a device that does not keep to the contract's QoS 1): held to the same limits as the
	 * unacknowledged ones — else a device publishing at QoS 0 could fill the relay's memory, the Receive Maximum not
	 * applying to it. Beyond them it cannot be turned away for the broker to keep, as the broker keeps no QoS 0
	 * message: it is dropped, counted and logged once until the relay holds nothing again. Its device, getting no
	 * ACK, sends it again. Each topic that brings QoS 0 deliveries is named once, at INFO.
	 */
	private void addAtMostOnce(Message<?> delivery, @Nullable BoundAcknowledgment bound, long arrival, long epoch,
			int size) {
		String topic = delivery.getHeaders().get(MqttHeaders.RECEIVED_TOPIC, String.class);
		noteAtMostOnceTopic(topic);
		if (holding() == 0) {
			// the relay has caught up: an episode of drops, if any, is over
			this.droppingAtMostOnce = false;
		}
		if (!hasRoom(epoch, size)) {
			this.atMostOnceDropped.incrementAndGet();
			if (!this.droppingAtMostOnce) {
				this.droppingAtMostOnce = true;
				LOG.warn("Holding {} deliveries ({} bytes of payload), the most it may (decibel.relay.max-unacknowledged,"
						+ " max-unacknowledged-bytes), for longer than decibel.relay.max-hold-wait: dropping QoS 0 "
						+ "deliveries, which the broker does not keep, until the relay has caught up (first on {}); "
						+ "their devices get no ACK and send them again. Counted "
						+ "(decibel_relay_deliveries_qos0_dropped_total), logged once until the relay has caught up",
						holding(), holdingBytes(), topic);
			}
			LOG.debug("Dropped a QoS 0 delivery on {}: no room", topic);
			return;
		}
		Counted counted = new Counted(bound, size, true);
		this.atMostOnce.incrementAndGet();
		this.atMostOnceBytes.addAndGet(size);
		this.deliveries.add(new Arrival(delivery, arrival, epoch, counted));
	}

	/** Says once per topic (for the first {@value #MAX_AT_MOST_ONCE_TOPICS}) that a device publishes at QoS 0. */
	private void noteAtMostOnceTopic(@Nullable String topic) {
		if (topic == null || this.atMostOnceTopics.size() > MAX_AT_MOST_ONCE_TOPICS
				|| !this.atMostOnceTopics.add(topic)) {
			return;
		}
		if (this.atMostOnceTopics.size() > MAX_AT_MOST_ONCE_TOPICS) {
			LOG.info("QoS 0 deliveries on more than {} topics: no more of them named", MAX_AT_MOST_ONCE_TOPICS);
			return;
		}
		LOG.info("Readings on {} come at QoS 0 (the contract says QoS 1): stored and answered while the relay has "
				+ "room, dropped beyond its limits, and lost with the relay should it stop before storing them; "
				+ "logged once per topic", topic);
	}

	/**
	 * Whether one more delivery may be held: not once a delivery of this connection was turned away (they would
	 * arrive out of order, and the connection is to be renewed anyway); always when nothing is held, however large.
	 * QoS 0 deliveries waiting to be stored count as held.
	 */
	private boolean hasRoom(long epoch, int size) {
		if (this.refusing == epoch) {
			return false;
		}
		int held = holding();
		return held == 0 || (held < this.maxUnacknowledged && holdingBytes() + size <= this.maxUnacknowledgedBytes);
	}

	/** Deliveries taken from the broker and not done with: unacknowledged ones, and QoS 0 ones not yet stored. */
	private int holding() {
		return this.unacknowledged.get() + this.atMostOnce.get();
	}

	private long holdingBytes() {
		return this.unacknowledgedBytes.get() + this.atMostOnceBytes.get();
	}

	/** Neither acknowledged nor held: the broker keeps it in flight, and sends it again on a renewed connection. */
	private void turnAway(long epoch) {
		this.turnedAway.incrementAndGet();
		if (this.refusing != epoch) {
			this.refusing = epoch;
			this.turnedAwayInEpisode = 0;
			LOG.warn("Holding {} unacknowledged deliveries ({} bytes of payload), the most it may "
					+ "(decibel.relay.max-unacknowledged={}, max-unacknowledged-bytes={}), for {} ms "
					+ "(decibel.relay.max-hold-wait) with the broker sending more: turning the rest of this "
					+ "connection's away, unacknowledged, for the broker to keep; the relay renews its connection once "
					+ "it has stored what it holds, and the broker sends them again. Counted "
					+ "(decibel_relay_deliveries_turned_away_total), logged once per episode",
					this.unacknowledged.get(), this.unacknowledgedBytes.get(), this.maxUnacknowledged,
					this.maxUnacknowledgedBytes, TimeUnit.NANOSECONDS.toMillis(this.holdWaitNanos));
		}
		this.turnedAwayInEpisode++;
	}

	/**
	 * On the writer thread: once all it held of a connection that turned deliveries away is acknowledged, renews the
	 * connection so that the broker sends them again. Not while the batch of that connection is still being written:
	 * its acknowledgments need the connection.
	 */
	private void renewIfDrained() {
		long epoch = this.refusing;
		if (epoch < 0 || epoch == this.renewed || this.unacknowledged.get() > 0 || !isWriter()) {
			return;
		}
		long turnedAway;
		synchronized (this) {
			turnedAway = this.turnedAwayInEpisode;
		}
		this.renewed = epoch;
		if (this.connection.renew(epoch)) {
			this.renewals.incrementAndGet();
			LOG.info("Stored all it held: renewed the MQTT connection for the broker to send again the {} deliveries "
					+ "it turned away", turnedAway);
		}
		// otherwise the connection was gone already, and the broker sends them again on the next one
	}

	private void beyondWindow(int held, long epoch) {
		if (held <= this.window) {
			return;
		}
		this.beyondWindow.incrementAndGet();
		if (this.beyondLoggedFor != epoch) {
			this.beyondLoggedFor = epoch;
			LOG.warn("The broker has sent {} deliveries the relay has not acknowledged yet, beyond its Receive Maximum "
					+ "of {} (decibel.mqtt.receive-maximum): taken while the relay has room "
					+ "(decibel.relay.max-unacknowledged); counted, and logged once per connection", held, this.window);
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
				ReadingBatch batch = nextBatch();
				if (batch != null) {
					write(batches, batch);
				}
				renewIfDrained();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			if (isWriter()) {
				// interrupted, not stopped: no more readings are stored, and that must not go unseen
				this.death = ex;
				LOG.error("The readings writer was interrupted: no more readings are stored; liveness is DOWN so that "
						+ "the relay is restarted");
			}
		}
		catch (Throwable ex) {
			this.death = ex;
			LOG.error("The readings writer died: no more readings are stored; liveness is DOWN so that the relay is "
					+ "restarted", ex);
		}
	}

	private @Nullable ReadingBatch nextBatch() throws InterruptedException {
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
		List<Message<?>> deliveries = new ArrayList<>(batch.size());
		List<@Nullable SimpleAcknowledgment> acknowledgments = new ArrayList<>(batch.size());
		long epoch = -1;
		for (Arrival arrival : batch) {
			deliveries.add(arrival.delivery());
			acknowledgments.add(arrival.counted());
			// a batch of two connections' deliveries: only the newer connection's can still be acknowledged
			epoch = Math.max(epoch, arrival.epoch());
		}
		long connection = epoch;
		return new ReadingBatch(deliveries, acknowledgments, () -> new Replies(this.connection, connection));
	}

	/** Sends the batch on, again and again while it fails, until it goes through or the relay stops. */
	private void write(MessageChannel batches, ReadingBatch batch) {
		int size = batch.deliveries().size();
		this.inHandSince = System.nanoTime();
		this.inHand = size;
		try {
			Message<ReadingBatch> message = new GenericMessage<>(batch);
			Backoff backoff = new Backoff(this.retryBackoff, this::isWriter);
			for (int attempt = 1; isWriter(); attempt++) {
				try {
					batch.attempt();
					batches.send(message);
					// a batch left by a stop stays unacknowledged
					if (batch.isCommitted()) {
						// its PUBACKs go out after its replies, on the same connection, or not at all
						int undelivered = batch.replies().awaitWritten();
						if (undelivered > 0) {
							this.undeliveredReplies.addAndGet(undelivered);
							LOG.debug("{} replies of a batch not written: their connection is gone, and the broker "
									+ "sends their deliveries again", undelivered);
						}
						batch.acknowledge();
						roomMade();
					}
					if (attempt > 1) {
						LOG.info("The batch of {} went through on attempt {}", size, attempt);
					}
					return;
				}
				catch (RuntimeException ex) {
					this.failedAttempts.incrementAndGet();
					if (attempt == 1) {
						LOG.error("A batch of {} could not be handled; trying it again until it can (its deliveries stay"
								+ " unacknowledged meanwhile)", size, ex);
					}
					if (!backoff.pause()) {
						break;
					}
				}
			}
			LOG.info("Stopping: a batch of {} left unacknowledged for the broker to deliver again", size);
		}
		finally {
			this.inHand = 0;
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

	/** Deliveries taken from the broker and not yet acknowledged: at most {@code maxUnacknowledged}. */
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

	/** The payload bytes of the deliveries taken from the broker and not yet acknowledged. */
	long unacknowledgedBytes() {
		return this.unacknowledgedBytes.get();
	}

	/** QoS 0 deliveries held, waiting to be stored: counted against the same limits as the unacknowledged ones. */
	int atMostOnceHeld() {
		return this.atMostOnce.get();
	}

	/** QoS 0 deliveries dropped while the relay held all it may. */
	long atMostOnceDropped() {
		return this.atMostOnceDropped.get();
	}

	/** Deliveries turned away, unacknowledged, while the relay held all it may. */
	long turnedAway() {
		return this.turnedAway.get();
	}

	/** Deliveries that found the relay holding all it may, and waited for room. */
	long waited() {
		return this.waited.get();
	}

	/** Connections renewed for the broker to send again what was turned away. */
	long renewals() {
		return this.renewals.get();
	}

	/** Queued deliveries of an earlier connection, dropped. */
	long stale() {
		return this.stale.get();
	}

	/** Replies not written because their batch's connection was gone; their deliveries come again. */
	long undeliveredReplies() {
		return this.undeliveredReplies.get();
	}

	/** Whether the writer thread, once started, is still there. */
	boolean isWriterAlive() {
		Thread thread = this.writer;
		return thread == null || thread.isAlive();
	}

	/** Attempts to handle a batch that failed unexpectedly. */
	long failedAttempts() {
		return this.failedAttempts.get();
	}

	@Override
	public void start() {
		this.stopping = false;
		Thread thread = new Thread(this::run, "readings-writer");
		this.writer = thread;
		thread.start();
	}

	/** Lets the batch in hand finish; deliveries still queued stay unacknowledged for the broker to send again. */
	@Override
	public void stop() {
		Thread thread = this.writer;
		this.writer = null;
		this.stopping = true;
		roomMade();
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

	/**
	 * A delivery's acknowledgment that keeps the count of held deliveries: unacknowledged ones, or QoS 0 ones (whose
	 * acknowledgment sends nothing, if they have one) until their batch is done.
	 */
	private final class Counted implements SimpleAcknowledgment {

		private final @Nullable BoundAcknowledgment acknowledgment;

		private final int size;

		private final boolean atMostOnce;

		private final AtomicBoolean settled = new AtomicBoolean();

		Counted(@Nullable BoundAcknowledgment acknowledgment, int size, boolean atMostOnce) {
			this.acknowledgment = acknowledgment;
			this.size = size;
			this.atMostOnce = atMostOnce;
		}

		@Override
		public void acknowledge() {
			// settled first: the broker may answer the PUBACK with the next delivery at once
			settle();
			if (this.acknowledgment != null) {
				this.acknowledgment.acknowledge();
			}
		}

		void settle() {
			if (this.settled.compareAndSet(false, true)) {
				if (this.atMostOnce) {
					ReadingBatcher.this.atMostOnceBytes.addAndGet(-this.size);
					ReadingBatcher.this.atMostOnce.decrementAndGet();
					return;
				}
				ReadingBatcher.this.unacknowledgedBytes.addAndGet(-this.size);
				ReadingBatcher.this.unacknowledged.decrementAndGet();
			}
		}

	}

}
