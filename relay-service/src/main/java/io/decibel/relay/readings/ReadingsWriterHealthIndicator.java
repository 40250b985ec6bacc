package io.decibel.relay.readings;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.decibel.relay.RelayProperties;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The readings writer's liveness ({@code readingsWriter}, in the liveness group): DOWN when the writer thread has
 * died, or when it has held one batch for longer than {@code decibel.relay.writer-stall-limit} while the database is
 * up — not when it simply waits for a database that is away, which a restart would not help. A relay that is not live
 * takes deliveries and stores none of them; an orchestrator restarts it, and the broker sends the deliveries again.
 * <p>
 * A watchdog thread looks every second (or more often for short limits) and logs each change once; the probe only
 * reads what it found, so a slow database never slows the probe.
 */
@Component
class ReadingsWriterHealthIndicator implements HealthIndicator, SmartLifecycle {

	private static final Logger LOG = LoggerFactory.getLogger(ReadingsWriterHealthIndicator.class);

	private final ReadingBatcher batcher;

	private final ObjectProvider<HealthContributorRegistry> health;

	private final long stallLimitNanos;

	private final long checkEveryNanos;

	private volatile Health current = Health.up().build();

	/** When the watchdog last found the database away ({@link System#nanoTime()}); waiting for it is no stall. */
	private long databaseAwayAt;

	private boolean databaseAwaySeen;

	private @Nullable ScheduledExecutorService watchdog;

	/** The registry lazily: it holds this indicator too. */
	ReadingsWriterHealthIndicator(ReadingBatcher batcher, ObjectProvider<HealthContributorRegistry> health,
			RelayProperties relay) {
		this.batcher = batcher;
		this.health = health;
		this.stallLimitNanos = relay.writerStallLimit().toNanos();
		this.checkEveryNanos = Math.min(Duration.ofSeconds(1).toNanos(), this.stallLimitNanos / 4);
	}

	@Override
	public Health health() {
		return this.current;
	}

	void check() {
		Health next = assess(System.nanoTime());
		Health previous = this.current;
		this.current = next;
		if (!next.getStatus().equals(previous.getStatus())) {
			if (Status.DOWN.equals(next.getStatus())) {
				LOG.error("Readings writer not live, liveness DOWN so that the relay is restarted: {}",
						next.getDetails().get("reason"));
			}
			else {
				LOG.info("Readings writer moving again, liveness UP");
			}
		}
	}

	private Health assess(long now) {
		Throwable death = this.batcher.death();
		if (death != null) {
			return Health.down().withDetail("reason", "the writer thread died: " + death).build();
		}
		if (!this.batcher.isWriterAlive()) {
			return Health.down().withDetail("reason", "the writer thread has ended").build();
		}
		int inHand = this.batcher.inHand();
		long since = this.batcher.inHandSince();
		if (inHand == 0 || now - since < this.checkEveryNanos) {
			return Health.up().build();
		}
		if (!isDatabaseUp()) {
			this.databaseAwayAt = now;
			this.databaseAwaySeen = true;
			return Health.up().withDetail("waiting", "for the database").build();
		}
		// the stall counts from the batch's start, or from when the database came back while the writer held it
		long from = (this.databaseAwaySeen && this.databaseAwayAt - since > 0) ? this.databaseAwayAt : since;
		long stalledNanos = now - from;
		if (stalledNanos > this.stallLimitNanos) {
			return Health.down()
				.withDetail("reason", "the writer has held a batch of " + inHand + " for "
						+ Duration.ofNanos(stalledNanos).toSeconds() + " s with the database up")
				.build();
		}
		return Health.up().build();
	}

	private boolean isDatabaseUp() {
		HealthContributor db = this.health.getObject().getContributor("db");
		return !(db instanceof HealthIndicator indicator) || Status.UP.equals(indicator.health(false).getStatus());
	}

	@Override
	public void start() {
		ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "readings-writer-watchdog");
			thread.setDaemon(true);
			return thread;
		});
		watchdog.scheduleWithFixedDelay(this::checkQuietly, this.checkEveryNanos, this.checkEveryNanos,
				TimeUnit.NANOSECONDS);
		this.watchdog = watchdog;
	}

	private void checkQuietly() {
		try {
			check();
		}
		catch (RuntimeException ex) {
			// a failed look must not end the watchdog; the next one tries again
			LOG.debug("Could not check the readings writer", ex);
		}
	}

	@Override
	public void stop() {
		ScheduledExecutorService watchdog = this.watchdog;
		this.watchdog = null;
		if (watchdog != null) {
			watchdog.shutdownNow();
		}
	}

	@Override
	public boolean isRunning() {
		return this.watchdog != null;
	}

}
