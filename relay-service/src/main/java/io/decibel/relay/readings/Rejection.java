package io.decibel.relay.readings;

import java.time.Instant;

import io.decibel.relay.quarantine.DeadLetter;
import io.decibel.relay.quarantine.QuarantinedPayload;
import org.jspecify.annotations.Nullable;

import org.springframework.messaging.Message;

/**
 * A delivery that is not a reading to store, and why.
 *
 * @param deviceId the device it can be traced to (topic first, then payload), if any
 * @param seq the seq its payload names, if usable
 */
record Rejection(Message<?> delivery, String topic, @Nullable String deviceId, @Nullable Long seq, String reason,
		Instant receivedAt, byte[] payload) {

	QuarantinedPayload quarantined() {
		return new QuarantinedPayload(this.topic, this.deviceId, this.reason, this.receivedAt, this.payload);
	}

	DeadLetter deadLetter() {
		return DeadLetter.of(this.topic, this.reason, this.receivedAt, this.payload);
	}

}
