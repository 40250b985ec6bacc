package io.decibel.relay.quarantine;

import java.util.EnumMap;
import java.util.Map;

import io.decibel.relay.readings.BatchCommitted;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * {@code decibel.relay.readings.rejected{reason}}: rejections by {@link RejectionCategory}, counted from each
 * committed batch; {@code database}: readings the database refused for good, quarantined.
 */
@Component
class RejectionMeters {

	private final Map<RejectionCategory, Counter> rejected = new EnumMap<>(RejectionCategory.class);

	RejectionMeters(MeterRegistry registry) {
		for (RejectionCategory category : RejectionCategory.values()) {
			this.rejected.put(category, Counter.builder("decibel.relay.readings.rejected")
				.description("Deliveries rejected, by the kind of bad input")
				.tag("reason", category.tag())
				.register(registry));
		}
	}

	@EventListener
	void committed(BatchCommitted batch) {
		for (String reason : batch.rejections()) {
			this.rejected.get(RejectionCategory.of(reason)).increment();
		}
	}

}
