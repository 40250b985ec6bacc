package io.decibel.contract;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * What a payload turned out to be: a valid reading, or the reasons it is not one, with whatever identity could
 * still be read from it so that the device can be answered.
 *
 * @param reading the reading, {@code null} when {@code reasons} is not empty
 * @param reasons why the payload is not a valid reading; empty when it is
 * @param deviceId the device id the payload names, when it names a well-formed one
 * @param seq the seq the payload names, when it names a usable one
 */
public record DecodedReading(@Nullable Reading reading, List<String> reasons, @Nullable String deviceId,
		@Nullable Long seq) {

	public DecodedReading {
		reasons = List.copyOf(reasons);
	}

	static DecodedReading valid(Reading reading) {
		return new DecodedReading(reading, List.of(), reading.deviceId(), reading.seq());
	}

	static DecodedReading invalid(List<String> reasons, @Nullable String deviceId, @Nullable Long seq) {
		return new DecodedReading(null, reasons, deviceId, seq);
	}

	public boolean isValid() {
		return this.reading != null;
	}

	/** All reasons in one line, for logs, dead-letter entries and REJECTED ACKs. */
	public String reason() {
		return String.join("; ", this.reasons);
	}

}
