package io.decibel.publisher;

import java.time.Duration;
import java.util.Locale;

import io.decibel.contract.AckStatus;
import io.decibel.publisher.publishing.DurableOutbox;
import io.decibel.publisher.publishing.PendingReadings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.stereotype.Component;

/**
 * The device's counts, as meters ({@code /actuator/prometheus}) and as the numbers its progress lines show. The
 * outbox ({@link PendingReadings}) keeps the counts of sends and of readings given up; this class shows them, and
 * counts the ACKs:
 * <ul>
 * <li>{@code decibel.publisher.readings.published}: readings sent for the first time</li>
 * <li>{@code decibel.publisher.readings.resent}: sends of a reading again, its ACK overdue</li>
 * <li>{@code decibel.publisher.readings.acknowledged{status=stored|duplicate|rejected|conflict}}: seqs settled by
 * an ACK ({@code conflict}: the relay holds the seq with another reading; the reading goes out again under a new
 * seq)</li>
 * <li>{@code decibel.publisher.readings.renumbered}: readings numbered again after a {@code CONFLICT} answer</li>
 * <li>{@code decibel.publisher.readings.pending}: published, not acknowledged yet (gauge)</li>
 * <li>{@code decibel.publisher.readings.given.up{reason=outbox_full}}: readings the device stopped trying to
 * deliver, dropped to make room in a full outbox: perhaps stored, never confirmed (a rejected reading is not given
 * up: it is answered, {@code acknowledged{status=rejected}})</li>
 * <li>{@code decibel.publisher.ack.round.trip}: from a reading's first send to its ACK, as a histogram</li>
 * </ul>
 */
@Component
public class PublisherMeters {

	private final MeterRegistry registry;

	private final PendingReadings pending;

	private final Timer roundTrip;

	PublisherMeters(MeterRegistry registry, PendingReadings pending, DurableOutbox outbox) {
		this.registry = registry;
		this.pending = pending;
		FunctionCounter.builder("decibel.publisher.readings.renumbered", outbox, DurableOutbox::renumbered)
			.description("Readings numbered again because the relay holds their seq with another reading")
			.register(registry);
		FunctionCounter.builder("decibel.publisher.readings.published", pending, PendingReadings::published)
			.description("Readings sent for the first time")
			.register(registry);
		FunctionCounter.builder("decibel.publisher.readings.resent", pending, PendingReadings::resent)
			.description("Readings sent again because their ACK was overdue")
			.register(registry);
		FunctionCounter.builder("decibel.publisher.readings.given.up", pending, PendingReadings::givenUp)
			.description("Readings the device stopped trying to deliver")
			.tag("reason", "outbox_full")
			.register(registry);
		this.roundTrip = Timer.builder("decibel.publisher.ack.round.trip")
			.description("From a reading's first send to its ACK")
			// buckets, not client-side percentiles: Prometheus takes a metric as a histogram or as a summary, and
			// only buckets add up across devices (histogram_quantile in the dashboard)
			.publishPercentileHistogram()
			.minimumExpectedValue(Duration.ofMillis(1))
			.maximumExpectedValue(Duration.ofMinutes(2))
			.register(registry);
		Gauge.builder("decibel.publisher.readings.pending", pending, PendingReadings::size)
			.description("Readings published and not acknowledged yet")
			.register(registry);
		// registered now, so that a scrape shows zeros before the first ACK rather than nothing
		for (AckStatus status : AckStatus.values()) {
			acknowledgedCounter(status);
		}
	}

	public void acknowledged(AckStatus status, Duration roundTrip) {
		acknowledgedCounter(status).increment();
		this.roundTrip.record(roundTrip);
	}

	public long publishedCount() {
		return this.pending.published();
	}

	public long resentCount() {
		return this.pending.resent();
	}

	public long givenUpCount() {
		return this.pending.givenUp();
	}

	public long acknowledgedCount(AckStatus status) {
		return (long) acknowledgedCounter(status).count();
	}

	private Counter acknowledgedCounter(AckStatus status) {
		return Counter.builder("decibel.publisher.readings.acknowledged")
			.description("Readings settled by an ACK, by the ACK's status")
			.tag("status", status.name().toLowerCase(Locale.ROOT))
			.register(this.registry);
	}

}
