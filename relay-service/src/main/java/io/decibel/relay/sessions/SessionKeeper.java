package io.decibel.relay.sessions;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;

/**
 * Keeps the share group free of sessions nobody reads. This relay beats its row in {@code relay_sessions}; when it
 * stops in order it says it has left, once its MQTT connection is closed. A relay whose row says it has left, or has
 * not beaten for {@code dead-after} (killed), is adopted by a live one: it takes the session over with the gone
 * relay's client id and ends it ({@link AdoptedSession}), so that what the broker holds for it is stored within
 * seconds — whether or not the devices send again — and the session draws no more readings.
 * <p>
 * A relay adopts only after it has reached the database for {@code dead-after} without a break: after an outage of
 * the database, every row is old, and the relays must first have had time to beat again.
 */
class SessionKeeper implements SmartLifecycle {

	private static final Logger LOG = LoggerFactory.getLogger(SessionKeeper.class);

	private final SessionRegistry registry;

	private final SessionSettings settings;

	private final String clientId;

	private final Function<String, AdoptedSession> adoptions;

	private final BooleanSupplier connected;

	private volatile ScheduledExecutorService beats;

	/** Since when ({@link System#nanoTime()}) every beat has reached the database. */
	private long reachedSince;

	private boolean reached;

	private boolean failing;

	SessionKeeper(SessionRegistry registry, SessionSettings settings, String clientId,
			Function<String, AdoptedSession> adoptions, BooleanSupplier connected) {
		this.connected = connected;
		this.registry = registry;
		this.settings = settings;
		this.clientId = clientId;
		this.adoptions = adoptions;
	}

	/** One beat: this relay's row, then the gone relays' sessions, one adoption at a time. */
	void beat() {
		try {
			this.registry.beat(this.clientId);
			this.failing = false;
			if (!this.reached) {
				this.reached = true;
				this.reachedSince = System.nanoTime();
			}
			// what an adopted session brings is acknowledged on this relay's own connection's terms: it must be up
			if (System.nanoTime() - this.reachedSince < this.settings.deadAfter().toNanos()
					|| !this.connected.getAsBoolean()) {
				return;
			}
			for (String gone : this.registry.gone(this.clientId, this.settings.deadAfter())) {
				if (this.beats != null && this.registry.claim(gone, this.clientId, this.settings.deadAfter())) {
					adopt(gone);
				}
			}
		}
		// not only DataAccessException: a database away also fails a transaction's start or its rollback
		// (TransactionException, and what the JPA provider throws), and whatever escapes a scheduled task cancels it
		// for good, silently: the row would stop beating, and live relays would take this relay's session over
		catch (RuntimeException ex) {
			// once per episode: a database away is also seen by health, but a refused grant would be seen nowhere else
			if (this.reached || !this.failing) {
				LOG.warn("Relay {} cannot beat its session row, so it adopts no gone relay's session until it can: {}",
						this.clientId, ex.toString());
			}
			this.reached = false;
			this.failing = true;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private void adopt(String gone) throws InterruptedException {
		LOG.info("Adopting the MQTT session of relay {}, which is gone", gone);
		boolean ended = this.adoptions.apply(gone).handOver(() -> {
			this.registry.beatAdopted(gone, this.clientId);
			this.registry.beat(this.clientId);
		});
		if (ended) {
			this.registry.ended(gone, this.clientId);
		}
		else {
			this.registry.released(gone, this.clientId);
		}
	}

	@Override
	public void start() {
		ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "relay-sessions");
			thread.setDaemon(true);
			return thread;
		});
		this.beats = beats;
		long period = this.settings.heartbeat().toMillis();
		beats.scheduleWithFixedDelay(this::beat, 0, period, TimeUnit.MILLISECONDS);
	}

	/** After the MQTT connection closed (phase): the session waits in the broker, and a live relay adopts it. */
	@Override
	public void stop() {
		ScheduledExecutorService beats = this.beats;
		this.beats = null;
		if (beats == null) {
			return;
		}
		beats.shutdownNow();
		try {
			beats.awaitTermination(5, TimeUnit.SECONDS);
			this.registry.left(this.clientId);
			LOG.info("Relay {} has left: a live relay adopts its MQTT session", this.clientId);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (DataAccessException ex) {
			LOG.warn("Could not say this relay has left ({}): a live relay adopts its MQTT session once it is seen "
					+ "gone", ex.toString());
		}
	}

	@Override
	public boolean isRunning() {
		return this.beats != null;
	}

	/** Stops after the MQTT client manager (phase 0), which closes the connection. */
	@Override
	public int getPhase() {
		return -100;
	}

}
