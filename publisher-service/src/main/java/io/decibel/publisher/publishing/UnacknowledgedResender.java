package io.decibel.publisher.publishing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

import io.decibel.contract.Reading;
import io.decibel.publisher.PublisherProperties;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.integration.mqtt.core.Mqttv5ClientManager;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;

/**
 * Re-sends, with the same {@code (deviceId, seq)}, every pending reading whose ACK is overdue. The relay turns a
 * re-send of a stored reading into a {@code DUPLICATE} answer, so re-sending too often costs traffic, never data.
 */
@Component
class UnacknowledgedResender implements SmartLifecycle {

	private static final Logger LOG = LoggerFactory.getLogger(UnacknowledgedResender.class);

	private final PendingReadings pending;

	private final ReadingPublisher publisher;

	private final Mqttv5ClientManager clientManager;

	private final TaskScheduler scheduler;

	private final Duration sweepInterval;

	private @Nullable ScheduledFuture<?> sweeps;

	UnacknowledgedResender(PendingReadings pending, ReadingPublisher publisher, Mqttv5ClientManager clientManager,
			TaskScheduler scheduler, PublisherProperties properties) {
		this.pending = pending;
		this.publisher = publisher;
		this.clientManager = clientManager;
		this.scheduler = scheduler;
		// a fraction of the timeout keeps re-sends close to when they are due, without spinning
		long interval = Math.max(10, Math.min(1_000, properties.ackTimeout().toMillis() / 5));
		this.sweepInterval = Duration.ofMillis(interval);
	}

	void resendOverdue() {
		if (!this.clientManager.isConnected()) {
			return;
		}
		long now = System.nanoTime();
		List<Reading> due = this.pending.due(now);
		int kept = 0;
		int resent = 0;
		try {
			for (Reading reading : due) {
				boolean neverSent = this.pending.sends(reading.seq()) == 0;
				if (!this.publisher.send(reading)) {
					return;
				}
				if (neverSent) {
					kept++;
					LOG.debug("Sent seq={}, kept while the broker was not reachable", reading.seq());
				}
				else {
					resent++;
					LOG.debug("Re-sent seq={} (send {}): no ACK yet", reading.seq(), this.pending.sends(reading.seq()));
				}
			}
		}
		finally {
			// one line per sweep: after an outage a sweep may send thousands
			if (kept > 0) {
				LOG.info("Sent {} readings kept while the broker was not reachable, from seq={}", kept,
						due.get(0).seq());
			}
			if (resent > 0) {
				LOG.info("Re-sent {} readings with the same seq, no ACK yet (oldest seq={}, {} pending)", resent,
						due.get(0).seq(), this.pending.size());
			}
		}
	}

	@Override
	public synchronized void start() {
		if (this.sweeps == null) {
			this.sweeps = this.scheduler.scheduleWithFixedDelay(this::resendOverdue, this.sweepInterval);
		}
	}

	@Override
	public synchronized void stop() {
		if (this.sweeps != null) {
			this.sweeps.cancel(false);
			this.sweeps = null;
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return this.sweeps != null;
	}

	@Override
	public int getPhase() {
		return Integer.MAX_VALUE;
	}

}
