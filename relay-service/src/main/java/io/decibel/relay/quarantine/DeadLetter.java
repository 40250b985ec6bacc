package io.decibel.relay.quarantine;

import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;

import io.decibel.contract.TelemetryCodec;

/**
 * What the relay publishes on the dead-letter topic for input it could not store: where it came from, why it was
 * refused, and the raw bytes (up to the payload limit, base64) so that an operator can see what the device sent.
 */
public record DeadLetter(String topic, String reason, Instant receivedAt, int payloadBytes, String payloadBase64) {

	public static DeadLetter of(String topic, String reason, Instant receivedAt, byte[] payload) {
		byte[] kept = Arrays.copyOf(payload, Math.min(payload.length, TelemetryCodec.MAX_PAYLOAD_BYTES));
		return new DeadLetter(topic, reason, receivedAt, payload.length, Base64.getEncoder().encodeToString(kept));
	}

}
