package io.decibel.relay.readings;

import java.util.Locale;

import io.decibel.contract.AckStatus;
import io.decibel.relay.RelayProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The relay's meters beyond the ACK counts that {@link ReadingIngest} keeps
 * ({@code decibel.relay.readings{status=stored|duplicate|conflict|rejected}}):
 * <ul>
 * <li>{@code decibel.relay.readings.received}: deliveries taken from the broker, before any check</li>
 * <li>{@code decibel.relay.batch.size}: deliveries per committed batch</li>
 * <li>{@code decibel.relay.up{component=db|mqtt}}: 1 while the health component is UP, 0 otherwise</li>
 * </ul>
 * The store's latency is timed where the transaction runs ({@code decibel.relay.store.latency}, ReadingStore); its
 * retries and splits are counted by {@link BatchWriter}, answers sent to another topic than the Response Topic by
 * {@link ReplyTopics}, rejections by their kind in the quarantine package ({@code decibel.relay.readings.rejected}).
 */
@Component
class RelayMeters {

	private final Counter received;

	private final DistributionSummary batchSize;

	RelayMeters(MeterRegistry registry, HealthContributorRegistry health, RelayProperties relay) {
		this.received = Counter.builder("decibel.relay.readings.received")
			.description("Deliveries taken from the broker, before any check")
			.register(registry);
		this.batchSize = DistributionSummary.builder("decibel.relay.batch.size")
			.description("Deliveries per committed batch")
			.baseUnit("deliveries")
			.serviceLevelObjectives(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
			.maximumExpectedValue((double) relay.batchSize())
			.register(registry);
		// ReadingIngest counts the answers; registered here too, so that a scrape shows zeros rather than nothing
		for (AckStatus status : AckStatus.values()) {
			registry.counter("decibel.relay.readings", "status", status.name().toLowerCase(Locale.ROOT));
		}
		for (String component : new String[] { "db", "mqtt" }) {
			Gauge.builder("decibel.relay.up", health, (contributors) -> isUp(contributors.getContributor(component)))
				.description("1 while the health component is UP, 0 otherwise")
				.tag("component", component)
				.register(registry);
		}
	}

	/** Called on the MQTT client's thread for every delivery: a counter, nothing more. */
	void received() {
		this.received.increment();
	}

	@EventListener
	void committed(BatchCommitted batch) {
		this.batchSize.record(batch.deliveries());
	}

	private static double isUp(HealthContributor contributor) {
		return (contributor instanceof HealthIndicator indicator
				&& Status.UP.equals(indicator.health(false).getStatus())) ? 1 : 0;
	}

}
