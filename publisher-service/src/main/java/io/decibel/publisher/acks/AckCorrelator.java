package io.decibel.publisher.acks;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

import io.decibel.contract.Ack;
import io.decibel.contract.AckStatus;
import io.decibel.publisher.PublisherMeters;
import io.decibel.publisher.PublisherProperties;
import io.decibel.publisher.publishing.Correlation;
import io.decibel.publisher.publishing.DurableOutbox;
import io.decibel.publisher.publishing.DurableOutbox.Renumbered;
import io.decibel.publisher.publishing.DurableOutbox.Renumbering;
import io.decibel.publisher.publishing.PendingReadings.Acknowledged;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * Matches each ACK with the pending reading it answers, by the Correlation Data the reading was sent with
 * ({@link Correlation}: seq, reading, send; or the seq alone, as v1 devices sent it) or, from a relay that did not
 * echo it, by the ACK's seq. An answer to a send of another reading under the same seq settles nothing.
 */
@Component
class AckCorrelator {

	private static final Logger LOG = LoggerFactory.getLogger(AckCorrelator.class);

	private final DurableOutbox outbox;

	private final Completion completion;

	private final PublisherMeters meters;

	private final Progress progress;

	private final String deviceId;

	AckCorrelator(DurableOutbox outbox, Completion completion, PublisherProperties properties,
			PublisherMeters meters, Progress progress) {
		this.outbox = outbox;
		this.completion = completion;
		this.meters = meters;
		this.progress = progress;
		this.deviceId = properties.deviceId();
	}

	void correlate(Ack ack, byte @Nullable [] correlationData) {
		long now = System.nanoTime();
		Correlation answered = Correlation.parse(correlationData);
		Long seq = (answered != null) ? Long.valueOf(answered.seq()) : ack.seq();
		if (seq == null) {
			throw new IllegalArgumentException("ACK names no seq, neither in its Correlation Data nor in its body");
		}
		if (!this.deviceId.equals(ack.deviceId())) {
			throw new IllegalArgumentException("ACK for device '" + ack.deviceId() + "', not for this device");
		}
		if (ack.status() == AckStatus.CONFLICT) {
			conflict(ack, seq, answered, now);
			return;
		}
		Optional<Acknowledged> acknowledged = this.outbox.acknowledge(seq, answered, now);
		if (acknowledged.isEmpty()) {
			// typically the second answer to a re-sent reading; or one to an older reading's copy under this seq
			LOG.debug("ACK seq={} status={} for no pending reading it answers ({})", seq, ack.status(),
					(correlationData != null) ? new String(correlationData, StandardCharsets.UTF_8) : "no correlation");
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

	/**
	 * The relay holds the seq with another reading than the one answered: the device's numbering went back. The
	 * outbox moves its counter past the relay's highest seq and numbers the pending reading again — it is not done, it
	 * goes out again under its new seq — unless the relay names that very reading as the holder: then the answer was
	 * to an older copy, and the pending reading is stored.
	 */
	private void conflict(Ack ack, long seq, @Nullable Correlation answered, long now) {
		// a relay that does not say how far it is holds at least this seq
		long highestSeq = (ack.highestSeq() != null) ? Math.max(ack.highestSeq(), seq) : seq;
		Renumbering renumbering = this.outbox.conflict(seq, highestSeq, ack.heldBy(), answered, now);
		if (renumbering.counterMoved()) {
			LOG.warn("The device's numbering went back: the relay already holds seq={} and more, up to seq={} "
					+ "(state lost?); continuing after seq={}; each pending reading the relay answers CONFLICT is "
					+ "numbered again", seq, highestSeq, highestSeq);
		}
		if (renumbering.storedBefore().isPresent()) {
			storedBefore(ack, seq, renumbering.storedBefore().get());
			return;
		}
		if (renumbering.conflicted().isEmpty()) {
			LOG.debug("ACK seq={} status=CONFLICT for no pending reading it concerns", seq);
			return;
		}
		Acknowledged conflicted = renumbering.conflicted().get();
		this.meters.acknowledged(AckStatus.CONFLICT, conflicted.roundTrip());
		long renumberedAs = renumbering.renumbered()
			.stream()
			.filter((renumbered) -> renumbered.from() == seq)
			.mapToLong(Renumbered::to)
			.findFirst()
			.orElse(-1);
		LOG.info("ACK seq={} status=CONFLICT: the relay holds another reading with this seq; sent again as seq={}",
				seq, renumberedAs);
	}

	/**
	 * The answer was to another copy under the seq, and the relay names the pending reading itself as the holder: it
	 * was stored before (its own answer lost or still on the way). Counted as {@code duplicate}, which it is.
	 */
	private void storedBefore(Ack ack, long seq, Acknowledged stored) {
		this.meters.acknowledged(AckStatus.DUPLICATE, stored.roundTrip());
		this.progress.roundTrip(stored.roundTrip());
		LOG.info("ACK seq={} status=CONFLICT rtt={} ms: the relay holds this very reading under it, stored at {}; "
				+ "settled as stored", seq, String.format(Locale.ROOT, "%.1f", stored.roundTrip().toNanos() / 1e6),
				ack.storedAt());
		this.completion.acknowledged(seq, AckStatus.DUPLICATE);
	}

}
