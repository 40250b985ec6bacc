package io.decibel.relay.readings;

import java.time.Instant;

import io.decibel.contract.Reading;

/** A stored reading as the API and the live page show it: one row of the table. */
public record ReadingView(String deviceId, long seq, Instant sampledAt, Instant receivedAt, Instant storedAt,
		int windowMs, double rms, double dbfs, double peak, String source) {

	/** A reading just stored, as the live page receives it: the same fields as a row of the table. */
	public static ReadingView of(Reading reading, Instant receivedAt, Instant storedAt) {
		return new ReadingView(reading.deviceId(), reading.seq(), reading.sampledAt(), receivedAt, storedAt,
				Math.toIntExact(reading.windowMs()), reading.rms(), reading.dbfs(), reading.peak(),
				reading.source());
	}

	static ReadingView of(StoredReading reading) {
		return new ReadingView(reading.getDeviceId(), reading.getSeq(), reading.getSampledAt(),
				reading.getReceivedAt(), reading.getStoredAt(), reading.getWindowMs(), reading.getRms(),
				reading.getDbfs(), reading.getPeak(), reading.getSource());
	}

}
