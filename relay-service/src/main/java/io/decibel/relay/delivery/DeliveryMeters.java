package io.decibel.relay.delivery;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

import io.decibel.contract.Reading;
import io.decibel.relay.delivery.DeliveryAccounting.Delivery;
import io.decibel.relay.readings.BatchCommitted;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The delivery accounting of {@code GET /api/devices/{id}/delivery} as gauges, per device that has sent readings
 * since the relay started: {@code decibel.relay.device.readings.stored}, {@code ….missing} and
 * {@code decibel.relay.device.seq.last}. They read the table when scraped, at most once per device every few
 * seconds; the first {@value #MAX_DEVICES} devices get gauges, to keep the series bounded.
 */
@Component
class DeliveryMeters {

	static final int MAX_DEVICES = 1000;

	private static final long FRESH_NANOS = Duration.ofSeconds(5).toNanos();

	private final DeliveryAccounting accounting;

	private final MeterRegistry registry;

	private final Map<String, CachedDelivery> devices = new ConcurrentHashMap<>();

	DeliveryMeters(DeliveryAccounting accounting, MeterRegistry registry) {
		this.accounting = accounting;
		this.registry = registry;
	}

	@EventListener
	void committed(BatchCommitted batch) {
		for (Reading reading : batch.readings()) {
			if (this.devices.size() >= MAX_DEVICES) {
				return;
			}
			this.devices.computeIfAbsent(reading.deviceId(), this::register);
		}
	}

	private CachedDelivery register(String deviceId) {
		CachedDelivery cached = new CachedDelivery(deviceId);
		gauge("decibel.relay.device.readings.stored", "Readings of the device in the table", cached,
				(c) -> c.delivery().stored());
		gauge("decibel.relay.device.readings.missing", "Seqs of the device, up to its last stored one, not stored",
				cached, (c) -> c.delivery().missing());
		gauge("decibel.relay.device.seq.last", "The device's highest stored seq", cached, (c) -> {
			Long last = c.delivery().lastSeq();
			return (last != null) ? last : Double.NaN;
		});
		return cached;
	}

	private void gauge(String name, String description, CachedDelivery cached,
			ToDoubleFunction<CachedDelivery> value) {
		Gauge.builder(name, cached, value)
			.description(description)
			.tag("device", cached.deviceId)
			.register(this.registry);
	}

	private final class CachedDelivery {

		private final String deviceId;

		private Delivery delivery;

		private long readAt;

		CachedDelivery(String deviceId) {
			this.deviceId = deviceId;
		}

		synchronized Delivery delivery() {
			if (this.delivery == null || System.nanoTime() - this.readAt > FRESH_NANOS) {
				this.delivery = DeliveryMeters.this.accounting.delivery(this.deviceId);
				this.readAt = System.nanoTime();
			}
			return this.delivery;
		}

	}

}
