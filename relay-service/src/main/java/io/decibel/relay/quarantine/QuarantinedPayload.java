package io.decibel.relay.quarantine;

import java.time.Instant;
import java.util.Arrays;

import io.decibel.contract.TelemetryCodec;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.jspecify.annotations.Nullable;

/** A payload the relay refused: where it came from, why, and its bytes (up to the payload limit). */
@Entity
@Table(name = "quarantine")
public class QuarantinedPayload {

	/** The prefix of the reason of a valid reading the database refused for good. */
	public static final String DATABASE_REFUSED = "the database refused it: ";

	static final int MAX_TOPIC = 512;

	static final int MAX_REASON = 1024;

	// rejections are rare: an IDENTITY key costs the hot path nothing
	@Id
	@GeneratedValue(strategy = GenerationType.IDENTITY)
	private Long id;

	private String topic;

	private @Nullable String deviceId;

	private String reason;

	private Instant receivedAt;

	private int payloadBytes;

	private byte[] payload;

	protected QuarantinedPayload() {
	}

	public QuarantinedPayload(String topic, @Nullable String deviceId, String reason, Instant receivedAt,
			byte[] payload) {
		this.topic = truncate(topic, MAX_TOPIC);
		this.deviceId = deviceId;
		this.reason = truncate(reason, MAX_REASON);
		this.receivedAt = receivedAt;
		this.payloadBytes = payload.length;
		this.payload = Arrays.copyOf(payload, Math.min(payload.length, TelemetryCodec.MAX_PAYLOAD_BYTES));
	}

	/** The same row, not yet saved. */
	public QuarantinedPayload unsaved() {
		QuarantinedPayload copy = new QuarantinedPayload();
		copy.topic = this.topic;
		copy.deviceId = this.deviceId;
		copy.reason = this.reason;
		copy.receivedAt = this.receivedAt;
		copy.payloadBytes = this.payloadBytes;
		copy.payload = this.payload;
		return copy;
	}

	private static String truncate(String text, int max) {
		return (text.length() <= max) ? text : text.substring(0, max - 1) + "…";
	}

	public Long getId() {
		return this.id;
	}

	public String getTopic() {
		return this.topic;
	}

	public @Nullable String getDeviceId() {
		return this.deviceId;
	}

	public String getReason() {
		return this.reason;
	}

	public Instant getReceivedAt() {
		return this.receivedAt;
	}

	public int getPayloadBytes() {
		return this.payloadBytes;
	}

	public byte[] getPayload() {
		return this.payload;
	}

}
