package io.decibel.relay.levels;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

import io.decibel.contract.Ack;
import io.decibel.contract.AckStatus;
import io.decibel.contract.Reading;
import io.decibel.contract.SoundLevels;
import io.decibel.relay.readings.BatchCommitted;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The latest A-weighted levels of each device as gauges, from the readings the relay stores:
 * {@code decibel.relay.device.laeq}, {@code decibel.relay.device.lafmax} and {@code decibel.relay.device.laf90}, tagged
 * {@code device} and {@code calibrated} ({@code true}: dB(A) SPL, {@code false}: dB(A) re full scale). A device whose
 * calibration changes gets its series under the new tag; the old one goes. v1 readings carry no levels and show none.
 * At most {@link #MAX_DEVICES} devices, so that made-up device ids cannot grow the registry without bound.
 */
@Component
class DeviceLevelMeters {

	static final int MAX_DEVICES = 1000;

	private final MeterRegistry registry;

	private final Map<String, DeviceLevels> devices = new ConcurrentHashMap<>();

	DeviceLevelMeters(MeterRegistry registry) {
		this.registry = registry;
	}

	/** On the writer's thread: a map look-up and three writes per reading stored; a registration per new device. */
	@EventListener
	synchronized void committed(BatchCommitted batch) {
		for (int i = 0; i < batch.readings().size(); i++) {
			Reading reading = batch.readings().get(i);
			Ack ack = batch.acks().get(i);
			if (ack.status() == AckStatus.STORED && reading.levels() != null) {
				latest(reading.deviceId(), reading.levels());
			}
		}
	}

	private void latest(String deviceId, SoundLevels levels) {
		DeviceLevels device = this.devices.get(deviceId);
		if (device == null || device.calibrated != levels.calibrated()) {
			if (device == null && this.devices.size() >= MAX_DEVICES) {
				return;
			}
			if (device != null) {
				device.remove(this.registry);
			}
			device = new DeviceLevels(this.registry, deviceId, levels.calibrated());
			this.devices.put(deviceId, device);
		}
		device.laeq = levels.laeq();
		device.lafmax = levels.lafmax();
		device.laf90 = levels.laf90();
	}

	private static final class DeviceLevels {

		final boolean calibrated;

		final Gauge[] gauges;

		volatile double laeq = Double.NaN;

		volatile double lafmax = Double.NaN;

		volatile double laf90 = Double.NaN;

		DeviceLevels(MeterRegistry registry, String deviceId, boolean calibrated) {
			this.calibrated = calibrated;
			this.gauges = new Gauge[] {
					gauge(registry, "laeq", "Latest LAeq of the device's readings", deviceId, (levels) -> levels.laeq),
					gauge(registry, "lafmax", "Latest LAFmax of the device's readings", deviceId,
							(levels) -> levels.lafmax),
					gauge(registry, "laf90", "Latest LAF90 of the device's readings", deviceId,
							(levels) -> levels.laf90) };
		}

		private Gauge gauge(MeterRegistry registry, String level, String description, String deviceId,
				ToDoubleFunction<DeviceLevels> value) {
			return Gauge.builder("decibel.relay.device." + level, this, value)
				.description(description + ": dB(A) when calibrated, dB(A) re full scale otherwise")
				.tag("device", deviceId)
				.tag("calibrated", String.valueOf(this.calibrated))
				.strongReference(true)
				.register(registry);
		}

		void remove(MeterRegistry registry) {
			for (Gauge gauge : this.gauges) {
				registry.remove(gauge);
			}
		}

	}

}
