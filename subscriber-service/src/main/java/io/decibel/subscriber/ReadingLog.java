package io.decibel.subscriber;

import java.util.Locale;

import io.decibel.contract.DecodedReading;
import io.decibel.contract.Reading;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessagingException;

/**
 * What a person watching a subscriber sees: one line per reading, one warning per payload that is not a reading,
 * and the same as counts ({@code decibel.subscriber.readings}, tagged {@code outcome=shown|unreadable|failed}), with
 * the readings shown counted per device as well ({@code decibel.subscriber.device.readings}, tagged {@code device}).
 * One series per device is fine for a fleet of hundreds; {@link #MAX_DEVICES} caps it, so that a flood of made-up
 * device ids cannot grow the registry without bound.
 */
class ReadingLog {

	private static final Logger LOG = LoggerFactory.getLogger(ReadingLog.class);

	static final String DEVICE_READINGS = "decibel.subscriber.device.readings";

	/** Devices past this many are still shown and counted in {@code decibel.subscriber.readings}, not per device. */
	static final int MAX_DEVICES = 1000;

	private final MeterRegistry meterRegistry;

	private final Counter shown;

	private final Counter unreadable;

	private final Counter failed;

	ReadingLog(MeterRegistry meterRegistry) {
		this.meterRegistry = meterRegistry;
		this.shown = counter(meterRegistry, "shown");
		this.unreadable = counter(meterRegistry, "unreadable");
		this.failed = counter(meterRegistry, "failed");
	}

	void show(DecodedReading decoded, @Nullable String topic) {
		Reading reading = decoded.reading();
		if (reading == null) {
			// expected bad input: one line with the reasons, no stack trace
			LOG.warn("Unreadable reading on {}: {}", topic, decoded.reason());
			this.unreadable.increment();
			return;
		}
		// the v1 part first, unchanged; a v1.1 reading's A-weighted levels after it
		LOG.info("Reading device={} seq={} level={} dBFS sampled={}{}", reading.deviceId(), reading.seq(),
				String.format(Locale.ROOT, "%.1f", reading.dbfs()), reading.sampledAt(),
				(reading.levels() != null) ? " " + reading.levels().summary() : "");
		this.shown.increment();
		Counter.builder(DEVICE_READINGS)
			.description("Readings shown, by device")
			.tag("device", reading.deviceId())
			.register(this.meterRegistry)
			.increment();
	}

	/** A failure nobody expected: worth its stack trace, but never worth stopping the subscription. */
	void failed(Throwable failure) {
		Message<?> message = (failure instanceof MessagingException ex) ? ex.getFailedMessage() : null;
		Object topic = (message != null) ? message.getHeaders().get(MqttHeaders.RECEIVED_TOPIC) : null;
		LOG.error("Reading on {} could not be shown", topic, failure);
		this.failed.increment();
	}

	private static Counter counter(MeterRegistry meterRegistry, String outcome) {
		return Counter.builder("decibel.subscriber.readings")
			.description("Readings received, by what became of them")
			.tag("outcome", outcome)
			.register(meterRegistry);
	}

}
