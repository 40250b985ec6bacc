package io.decibel.relay.readings;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.decibel.contract.Reading;
import io.decibel.contract.SoundLevels;
import org.jspecify.annotations.Nullable;

/**
 * A stored reading as the API and the live page show it: one row of the table, with the reading's A-weighted levels
 * as fields of their own ({@code laeq}, {@code lafmax}, {@code lafmin}, {@code laf10}, {@code laf50}, {@code laf90},
 * {@code calibrated}, as on the wire) when it carries them, and none for a v1 reading.
 */
public record ReadingView(String deviceId, long seq, Instant sampledAt, Instant receivedAt, Instant storedAt,
		int windowMs, double rms, double dbfs, double peak, String source, @JsonUnwrapped @Nullable SoundLevels levels) {

	/** A reading just stored, as the live page receives it: the same fields as a row of the table. */
	public static ReadingView of(Reading reading, Instant receivedAt, Instant storedAt) {
		return new ReadingView(reading.deviceId(), reading.seq(), reading.sampledAt(), receivedAt, storedAt,
				Math.toIntExact(reading.windowMs()), reading.rms(), reading.dbfs(), reading.peak(), reading.source(),
				reading.levels());
	}

	static ReadingView of(StoredReading reading) {
		return new ReadingView(reading.getDeviceId(), reading.getSeq(), reading.getSampledAt(),
				reading.getReceivedAt(), reading.getStoredAt(), reading.getWindowMs(), reading.getRms(),
				reading.getDbfs(), reading.getPeak(), reading.getSource(), reading.getLevels());
	}

}
