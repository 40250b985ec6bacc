package io.decibel.publisher.calibration;

import java.util.Locale;
import java.util.Optional;

import io.decibel.publisher.PublisherProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Which calibration the device's levels carry, said once in the log. */
@Configuration(proxyBeanMethods = false)
class CalibrationConfiguration {

	private static final Logger LOG = LoggerFactory.getLogger(CalibrationConfiguration.class);

	@Bean
	CalibrationStore calibrationStore(PublisherProperties properties) {
		return new CalibrationStore(properties.stateDir(), properties.deviceId());
	}

	@Bean
	DeviceCalibration deviceCalibration(PublisherProperties properties, CalibrationStore store) {
		if (properties.calibrating()) {
			return new DeviceCalibration(null, "none (calibration mode)");
		}
		DeviceCalibration calibration;
		if (properties.calibrationOffset() != null) {
			calibration = new DeviceCalibration(properties.calibrationOffset(), "configured");
		}
		else {
			Optional<Double> stored = store.offset();
			calibration = stored.map((offset) -> new DeviceCalibration(offset, "stored in " + store.file()))
				.orElseGet(() -> new DeviceCalibration(null, "none"));
		}
		if (calibration.offset() == null) {
			LOG.info("Levels in dB(A)FS, relative to full scale: the device is not calibrated"
					+ " (decibel.publisher.calibration-offset, or calibrate with decibel.publisher.calibrate-to)");
		}
		else {
			LOG.info("Levels in dB(A) SPL: calibration offset {} dB ({})",
					String.format(Locale.ROOT, "%.2f", calibration.offset()), calibration.origin());
		}
		return calibration;
	}

}
