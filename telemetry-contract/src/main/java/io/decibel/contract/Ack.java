package io.decibel.contract;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * The relay's answer to one reading.
 *
 * @param deviceId the device the reading came from (as far as it could be told)
 * @param seq the reading's sequence number, {@code null} when a rejected payload had none
 * @param status what was done with it
 * @param storedAt when the reading was stored ({@code CONFLICT}: when the other reading with its seq was), {@code null}
 * when it was rejected
 * @param reason why it was rejected or is in conflict, {@code null} otherwise
 * @param highestSeq {@code CONFLICT} only: the highest seq stored for the device, for it to number on past
 * @param heldBy {@code CONFLICT} only (contract v1.2): the reading that holds the seq, for the device to tell whether
 * it is the one it sent; {@code null} from a v1.1 relay
 */
public record Ack(String deviceId, @Nullable Long seq, AckStatus status, @Nullable Instant storedAt,
		@Nullable String reason, @Nullable Long highestSeq, @Nullable ReadingIdentity heldBy) {

	public Ack(String deviceId, @Nullable Long seq, AckStatus status, @Nullable Instant storedAt,
			@Nullable String reason) {
		this(deviceId, seq, status, storedAt, reason, null, null);
	}

	public Ack(String deviceId, @Nullable Long seq, AckStatus status, @Nullable Instant storedAt,
			@Nullable String reason, @Nullable Long highestSeq) {
		this(deviceId, seq, status, storedAt, reason, highestSeq, null);
	}

	public static Ack stored(Reading reading, Instant storedAt) {
		return new Ack(reading.deviceId(), reading.seq(), AckStatus.STORED, storedAt, null);
	}

	public static Ack duplicate(Reading reading, Instant storedAt) {
		return new Ack(reading.deviceId(), reading.seq(), AckStatus.DUPLICATE, storedAt, null);
	}

	public static Ack rejected(String deviceId, @Nullable Long seq, String reason) {
		return new Ack(deviceId, seq, AckStatus.REJECTED, null, reason);
	}

	/**
	 * Its {@code (deviceId, seq)} is stored already with other content: nothing was written or overwritten.
	 * @param heldBy the stored reading that holds the seq
	 */
	public static Ack conflict(Reading reading, Instant storedAt, long highestSeq, ReadingIdentity heldBy) {
		return new Ack(reading.deviceId(), reading.seq(), AckStatus.CONFLICT, storedAt,
				"seq " + reading.seq() + " is stored with a different reading; highest stored seq is " + highestSeq,
				highestSeq, heldBy);
	}

	/** A {@code CONFLICT} as a v1.1 relay answers it: without the reading that holds the seq. */
	public static Ack conflict(Reading reading, Instant storedAt, long highestSeq) {
		return new Ack(reading.deviceId(), reading.seq(), AckStatus.CONFLICT, storedAt,
				"seq " + reading.seq() + " is stored with a different reading; highest stored seq is " + highestSeq,
				highestSeq);
	}

}
