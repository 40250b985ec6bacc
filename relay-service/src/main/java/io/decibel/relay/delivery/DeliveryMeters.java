package io.decibel.relay.delivery;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.ToDoubleFunction;

import io.decibel.contract.AckStatus;
import io.decibel.contract.Reading;
import io.decibel.relay.delivery.DeliveryRepository.StoredRange;
import io.decibel.relay.readings.BatchCommitted;
import io.decibel.relay.retention.ReadingsRetired;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The delivery accounting of {@code GET /api/devices/{id}/delivery} as gauges, per device that has sent readings
 * since the relay started (the first {@value #MAX_DEVICES}, to keep the series bounded):
 * {@code decibel.relay.device.readings.stored}, {@code ….missing} and {@code decibel.relay.device.seq.last}.
 * <p>
 * A scrape reads figures the relay keeps, never the table. A device is counted in the table when it first sends (one
 * query on its range of the primary key, on a thread of this class's own); from then on each committed batch adds
 * the readings it stored. A device that shows missing seqs is counted again, at most once per
 * {@code decibel.relay.delivery.recount}: the readings that other relays of the share group store, or that arrive
 * late, then show as well.
 */
@Component
class DeliveryMeters {

	static final int MAX_DEVICES = 1000;

	/** Seqs looked up in one query. */
	private static final int LOOK_UP_CHUNK = 1000;

	private static final Logger LOG = LoggerFactory.getLogger(DeliveryMeters.class);

	private final DeliveryRepository readings;

	private final TransactionTemplate snapshot;

	private final MeterRegistry registry;

	private final long recountNanos;

	private final Map<String, DeviceCount> devices = new ConcurrentHashMap<>();

	private final ExecutorService counting = Executors.newSingleThreadExecutor((runnable) -> {
		Thread thread = new Thread(runnable, "delivery-counts");
		thread.setDaemon(true);
		return thread;
	});

	DeliveryMeters(DeliveryRepository readings, PlatformTransactionManager transactions, MeterRegistry registry,
			DeliverySettings settings) {
		this.readings = readings;
		// one snapshot for the count and the look-ups that complete it
		this.snapshot = new TransactionTemplate(transactions);
		this.snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
		this.snapshot.setReadOnly(true);
		this.registry = registry;
		this.recountNanos = settings.recount().toNanos();
	}

	/** On the writer's thread: adds what the batch stored, and queues the counts that are due. */
	@EventListener
	void committed(BatchCommitted batch) {
		Set<DeviceCount> touched = new HashSet<>();
		List<Reading> readings = batch.readings();
		for (int i = 0; i < readings.size(); i++) {
			DeviceCount device = device(readings.get(i).deviceId());
			if (device == null) {
				continue;
			}
			touched.add(device);
			if (batch.acks().get(i).status() == AckStatus.STORED) {
				device.stored(readings.get(i).seq());
			}
		}
		long now = System.nanoTime();
		for (DeviceCount device : touched) {
			if (device.queueCount(now, this.recountNanos)) {
				this.counting.execute(() -> count(device));
			}
		}
	}

	private @Nullable DeviceCount device(String deviceId) {
		DeviceCount device = this.devices.get(deviceId);
		if (device == null && this.devices.size() < MAX_DEVICES) {
			device = this.devices.computeIfAbsent(deviceId, DeviceCount::new);
		}
		return device;
	}

	/** One indexed count of the device's readings, completed by look-ups by key in the same snapshot. */
	private void count(DeviceCount device) {
		boolean first = !device.counted();
		try {
			this.snapshot.executeWithoutResult((status) -> {
				long retainedFrom = this.readings.findRetainedFrom(device.deviceId());
				StoredRange table = this.readings.findStoredRange(device.deviceId(), retainedFrom);
				Set<Long> lookedUp = new HashSet<>();
				Set<Long> inSnapshot = new HashSet<>();
				while (!device.countIn(table.getStoredCount(), table.getLastSeq(), retainedFrom, lookedUp, inSnapshot,
						System.nanoTime())) {
					List<Long> seqs = List.copyOf(device.notLookedUp(lookedUp));
					for (int from = 0; from < seqs.size(); from += LOOK_UP_CHUNK) {
						List<Long> chunk = seqs.subList(from, Math.min(seqs.size(), from + LOOK_UP_CHUNK));
						inSnapshot.addAll(this.readings.findSeqsAmong(device.deviceId(), chunk));
						lookedUp.addAll(chunk);
					}
				}
			});
		}
		catch (RuntimeException ex) {
			LOG.debug("Could not count the readings of {}, again after its next stored reading", device.deviceId(),
					ex);
			device.countFailed();
			return;
		}
		if (first) {
			register(device);
		}
		if (device.countAgain()) {
			this.counting.execute(() -> count(device));
		}
	}

	/** On the retention thread: the readings retention deleted leave the device's figures. */
	@EventListener
	void retired(ReadingsRetired retired) {
		DeviceCount device = this.devices.get(retired.deviceId());
		if (device != null) {
			device.retired(retired.retainedFrom(), retired.deleted());
		}
	}

	private void register(DeviceCount device) {
		gauge("decibel.relay.device.readings.stored", "Readings of the device in the table, from its retention horizon",
				device, DeviceCount::storedCount);
		gauge("decibel.relay.device.readings.missing",
				"Seqs of the device, from its retention horizon up to its last stored one, not stored", device,
				DeviceCount::missing);
		gauge("decibel.relay.device.seq.last", "The device's highest stored seq (retention may have deleted it since)",
				device, (d) -> (d.lastSeq() >= 0) ? d.lastSeq() : Double.NaN);
	}

	private void gauge(String name, String description, DeviceCount device, ToDoubleFunction<DeviceCount> value) {
		Gauge.builder(name, device, value)
			.description(description)
			.tag("device", device.deviceId())
			.register(this.registry);
	}

	@EventListener(ContextClosedEvent.class)
	void stop() {
		this.counting.shutdownNow();
	}

}
