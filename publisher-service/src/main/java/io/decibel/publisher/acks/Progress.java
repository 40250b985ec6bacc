package io.decibel.publisher.acks;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;

import io.decibel.contract.AckStatus;
import io.decibel.publisher.PublisherMeters;
import io.decibel.publisher.PublisherProperties;
import io.decibel.publisher.publishing.PendingReadings;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;

/**
 * How far a run is: for a counted run, a progress line every {@link #INTERVAL} (sent, ACKed, pending, re-sent)
 * while it runs; for every run, one summary line when it ends or is stopped — sent, ACKed by status, re-sent,
 * pending, given up, and for a counted run the ACK round trip's median and 99th percentile over the whole run (an
 * open-ended run keeps no record of its round trips: its meters have them).
 */
@Component
class Progress implements SmartLifecycle {

	private static final Logger LOG = LoggerFactory.getLogger(Progress.class);

	static final Duration INTERVAL = Duration.ofSeconds(5);

	private final PublisherMeters meters;

	private final PendingReadings pending;

	private final Completion completion;

	private final TaskScheduler scheduler;

	private final @Nullable Long count;

	// every round trip of the run, in nanoseconds: a counted run has at most `count` of them
	private long[] roundTrips = new long[16];

	private int roundTripCount;

	private boolean summarized;

	private @Nullable ScheduledFuture<?> reports;

	Progress(PublisherMeters meters, PendingReadings pending, Completion completion, TaskScheduler scheduler,
			PublisherProperties properties) {
		this.meters = meters;
		this.pending = pending;
		this.completion = completion;
		this.scheduler = scheduler;
		this.count = properties.count();
	}

	synchronized void roundTrip(Duration roundTrip) {
		if (this.count == null || this.roundTripCount >= this.count) {
			return;
		}
		if (this.roundTripCount == this.roundTrips.length) {
			this.roundTrips = Arrays.copyOf(this.roundTrips, this.roundTrips.length * 2);
		}
		this.roundTrips[this.roundTripCount++] = roundTrip.toNanos();
	}

	void report() {
		if (this.count == null || this.completion.isComplete()) {
			return;
		}
		long sent = this.meters.publishedCount();
		LOG.info("Progress: {}/{} sent ({} %), {} ACKed, {} pending, {} re-sent", sent, this.count,
				sent * 100 / this.count, acknowledged(), this.pending.size(), this.meters.resentCount());
	}

	/** The summary of the run, once: when the application stops (a counted run stops when it is done). */
	@EventListener(ContextClosedEvent.class)
	synchronized void summarize() {
		if (this.summarized) {
			return;
		}
		this.summarized = true;
		LOG.info("Summary: {} sent, {} ACKed ({} stored, {} duplicate, {} rejected, {} conflict), {} re-sent, "
				+ "{} pending, {} given up{}", this.meters.publishedCount(), acknowledged(),
				this.meters.acknowledgedCount(AckStatus.STORED), this.meters.acknowledgedCount(AckStatus.DUPLICATE),
				this.meters.acknowledgedCount(AckStatus.REJECTED), this.meters.acknowledgedCount(AckStatus.CONFLICT),
				this.meters.resentCount(), this.pending.size(),
				this.meters.givenUpCount(), (this.count != null) ? "; " + roundTripSummary() : "");
	}

	private long acknowledged() {
		long acknowledged = 0;
		for (AckStatus status : AckStatus.values()) {
			acknowledged += this.meters.acknowledgedCount(status);
		}
		return acknowledged;
	}

	private String roundTripSummary() {
		if (this.roundTripCount == 0) {
			return "no ACK round trip measured";
		}
		long[] sorted = Arrays.copyOf(this.roundTrips, this.roundTripCount);
		Arrays.sort(sorted);
		return String.format(Locale.ROOT, "ACK round trip p50=%.1f ms p99=%.1f ms max=%.1f ms",
				percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6, sorted[sorted.length - 1] / 1e6);
	}

	/** Nearest rank: the smallest value that at least {@code p} of the values do not exceed. */
	static long percentile(long[] sorted, double p) {
		int rank = (int) Math.ceil(p * sorted.length);
		return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
	}

	@Override
	public synchronized void start() {
		if (this.count != null && this.reports == null) {
			this.reports = this.scheduler.scheduleAtFixedRate(this::report, Instant.now().plus(INTERVAL), INTERVAL);
		}
	}

	@Override
	public synchronized void stop() {
		if (this.reports != null) {
			this.reports.cancel(false);
			this.reports = null;
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return this.reports != null;
	}

}
