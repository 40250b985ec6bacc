package io.decibel.publisher.acks;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

import io.decibel.contract.Ack;
import io.decibel.contract.AckStatus;
import io.decibel.publisher.PublisherMeters;
import io.decibel.publisher.PublisherProperties;
import io.decibel.publisher.publishing.PendingReadings;
import io.decibel.publisher.publishing.PendingReadings.Acknowledged;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * Matches each ACK with the pending reading it answers, by the Correlation Data the reading was sent with (the
 * seq, in decimal) or, from a relay that did not echo it, by the ACK's seq.
 */
@Component
class AckCorrelator {

	private static final Logger LOG = LoggerFactory.getLogger(AckCorrelator.class);

	private final PendingReadings pending;

	private final Completion completion;

	private final PublisherMeters meters;

	private final Progress progress;

	private final String deviceId;

	AckCorrelator(PendingReadings pending, Completion completion, PublisherProperties properties,
			PublisherMeters meters, Progress progress) {
		this.pending = pending;
		this.completion = completion;
		this.meters = meters;
		this.progress = progress;
		this.deviceId = properties.deviceId();
	}

	void correlate(Ack ack, byte @Nullable [] correlationData) {
		long now = System.nanoTime();
		Long seq = seqOf(correlationData, ack.seq());
		if (seq == null) {
			throw new IllegalArgumentException("ACK names no seq, neither in its Correlation Data nor in its body");
		}
		if (!this.deviceId.equals(ack.deviceId())) {
			throw new IllegalArgumentException("ACK for device '" + ack.deviceId() + "', not for this device");
		}
		Optional<Acknowledged> acknowledged = this.pending.acknowledge(seq, now);
		if (acknowledged.isEmpty()) {
			// typically the second answer to a re-sent reading
			LOG.debug("ACK seq={} status={} for no pending reading", seq, ack.status());
			return;
		}
		this.meters.acknowledged(ack.status(), acknowledged.get().roundTrip());
		this.progress.roundTrip(acknowledged.get().roundTrip());
		String rtt = String.format(Locale.ROOT, "%.1f", acknowledged.get().roundTrip().toNanos() / 1e6);
		if (ack.status() == AckStatus.REJECTED) {
			// done with it (it will never be stored), but someone should know why
			LOG.warn("ACK seq={} status={} rtt={} ms: {}", seq, ack.status(), rtt, ack.reason());
		}
		else {
			LOG.info("ACK seq={} status={} rtt={} ms", seq, ack.status(), rtt);
		}
		this.completion.acknowledged(seq, ack.status());
	}

	private static @Nullable Long seqOf(byte @Nullable [] correlationData, @Nullable Long ackSeq) {
		if (correlationData != null) {
			try {
				return Long.parseLong(new String(correlationData, StandardCharsets.UTF_8));
			}
			catch (NumberFormatException ex) {
				// not ours: fall back to the body
			}
		}
		return ackSeq;
	}

}
