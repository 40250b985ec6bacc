package io.decibel.contract;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * The relay's answer to one reading.
 *
 * @param deviceId the device the reading came from (as far as it could be told)
 * @param seq the reading's sequence number, {@code null} when a rejected payload had none
 * @param status what was done with it
 * @param storedAt when the reading was stored, {@code null} when it was rejected
 * @param reason why it was rejected, {@code null} otherwise
 */
public record Ack(String deviceId, @Nullable Long seq, AckStatus status, @Nullable Instant storedAt,
		@Nullable String reason) {

	public static Ack stored(Reading reading, Instant storedAt) {
		return new Ack(reading.deviceId(), reading.seq(), AckStatus.STORED, storedAt, null);
	}

	public static Ack duplicate(Reading reading, Instant storedAt) {
		return new Ack(reading.deviceId(), reading.seq(), AckStatus.DUPLICATE, storedAt, null);
	}

	public static Ack rejected(String deviceId, @Nullable Long seq, String reason) {
		return new Ack(deviceId, seq, AckStatus.REJECTED, null, reason);
	}

}
