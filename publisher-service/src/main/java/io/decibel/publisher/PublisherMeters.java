package io.decibel.publisher;

import java.time.Duration;
import java.util.Locale;

import io.decibel.contract.AckStatus;
import io.decibel.publisher.publishing.PendingReadings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.stereotype.Component;

/**
 * The device's counts, as meters ({@code /actuator/prometheus}) and as the numbers its progress lines show:
 * <ul>
 * <li>{@code decibel.publisher.readings.published}: readings sent for the first time</li>
 * <li>{@code decibel.publisher.readings.resent}: sends of a reading again, its ACK overdue</li>
 * <li>{@code decibel.publisher.readings.acknowledged{status=stored|duplicate|rejected}}: readings settled by an
 * ACK</li>
 * <li>{@code decibel.publisher.readings.pending}: published, not acknowledged yet (gauge)</li>
 * <li>{@code decibel.publisher.readings.given.up{reason}}: readings that will never be stored ({@code rejected}: the
 * relay refused them)</li>
 * <li>{@code decibel.publisher.ack.round.trip}: from a reading's first send to its ACK, as a histogram</li>
 * </ul>
 */
@Component
public class PublisherMeters {

	private final MeterRegistry registry;

	private final Counter published;

	private final Counter resent;

	private final Timer roundTrip;

	PublisherMeters(MeterRegistry registry, PendingReadings pending) {
		this.registry = registry;
		this.published = Counter.builder("decibel.publisher.readings.published")
			.description("Readings sent for the first time")
			.register(registry);
		this.resent = Counter.builder("decibel.publisher.readings.resent")
			.description("Readings sent again because their ACK was overdue")
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
		givenUpCounter("rejected");
	}

	public void published() {
		this.published.increment();
	}

	public void resent() {
		this.resent.increment();
	}

	public void acknowledged(AckStatus status, Duration roundTrip) {
		acknowledgedCounter(status).increment();
		this.roundTrip.record(roundTrip);
		if (status == AckStatus.REJECTED) {
			givenUp("rejected");
		}
	}

	/** A reading the device stops trying to deliver, and why (a short, fixed word: it is a tag). */
	public void givenUp(String reason) {
		givenUpCounter(reason).increment();
	}

	public long publishedCount() {
		return (long) this.published.count();
	}

	public long resentCount() {
		return (long) this.resent.count();
	}

	public long acknowledgedCount(AckStatus status) {
		return (long) acknowledgedCounter(status).count();
	}

	private Counter givenUpCounter(String reason) {
		return Counter.builder("decibel.publisher.readings.given.up")
			.description("Readings the device stopped trying to deliver: they will never be stored")
			.tag("reason", reason)
			.register(this.registry);
	}

	private Counter acknowledgedCounter(AckStatus status) {
		return Counter.builder("decibel.publisher.readings.acknowledged")
			.description("Readings settled by an ACK, by the ACK's status")
			.tag("status", status.name().toLowerCase(Locale.ROOT))
			.register(this.registry);
	}

}
