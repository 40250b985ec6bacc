package io.decibel.relay.readings;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import io.decibel.contract.Reading;

/**
 * A stored reading as the duplicate check sees it: its identity, when it was stored, and what the device sent — so
 * that a reading sent again is told apart from another reading under the same seq.
 */
record StoredContent(String deviceId, long seq, Instant storedAt, Instant sampledAt, int windowMs, double rms,
		double dbfs, double peak, String source) {

	/**
	 * Doubles come back from the database through text: MySQL and MariaDB print them to round-trip, but a relative
	 * difference this small is a printing artefact, never another reading.
	 */
	private static final double SAME_LEVEL = 1e-12;

	/** A reading as this batch stores it. */
	static StoredContent of(Reading reading, Instant storedAt) {
		return new StoredContent(reading.deviceId(), reading.seq(), storedAt, StoredReading.sampledAt(reading),
				Math.toIntExact(reading.windowMs()), reading.rms(), reading.dbfs(), reading.peak(), reading.source());
	}

	ReadingKey key() {
		return new ReadingKey(this.deviceId, this.seq);
	}

	/** Whether the reading is this one sent again: every field the contract carries, as the table holds it. */
	boolean isSameReadingAs(Reading reading) {
		return this.sampledAt.equals(StoredReading.sampledAt(reading)) && this.windowMs == reading.windowMs()
				&& sameLevel(this.rms, reading.rms()) && sameLevel(this.dbfs, reading.dbfs())
				&& sameLevel(this.peak, reading.peak()) && this.source.equals(reading.source());
	}

	private static boolean sameLevel(double stored, double sent) {
		return stored == sent
				|| Math.abs(stored - sent) <= SAME_LEVEL * Math.max(Math.abs(stored), Math.abs(sent));
	}

}
