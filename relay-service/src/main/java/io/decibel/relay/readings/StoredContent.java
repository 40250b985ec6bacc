package io.decibel.relay.readings;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

import io.decibel.contract.Reading;
import io.decibel.contract.ReadingIdentity;
import io.decibel.contract.SoundLevels;
import org.jspecify.annotations.Nullable;

/**
 * A stored reading as the duplicate check sees it: its identity, when it was stored, and what the device sent — so
 * that a reading sent again is told apart from another reading under the same seq.
 */
record StoredContent(String deviceId, long seq, Instant storedAt, Instant sampledAt, int windowMs, double rms,
		double dbfs, double peak, String source, @Nullable SoundLevels levels) {

	/** As the repository's query reads it: the levels' columns one by one, all null for a v1 reading. */
	StoredContent(String deviceId, long seq, Instant storedAt, Instant sampledAt, int windowMs, double rms,
			double dbfs, double peak, String source, @Nullable Double laeq, @Nullable Double lafmax,
			@Nullable Double lafmin, @Nullable Double laf10, @Nullable Double laf50, @Nullable Double laf90,
			@Nullable Boolean calibrated) {
		this(deviceId, seq, storedAt, sampledAt, windowMs, rms, dbfs, peak, source,
				levels(laeq, lafmax, lafmin, laf10, laf50, laf90, calibrated));
	}

	/**
	 * Doubles come back from the database through text: MySQL and MariaDB print them to round-trip, but a relative
	 * difference this small is a printing artefact, never another reading.
	 */
	private static final double SAME_LEVEL = 1e-12;

	/** A reading as this batch stores it. */
	static StoredContent of(Reading reading, Instant storedAt) {
		return new StoredContent(reading.deviceId(), reading.seq(), storedAt, StoredReading.sampledAt(reading),
				Math.toIntExact(reading.windowMs()), reading.rms(), reading.dbfs(), reading.peak(), reading.source(),
				reading.levels());
	}

	/** The levels of a row: none when its columns are null (a v1 reading; the contract sends all or none). */
	static @Nullable SoundLevels levels(@Nullable Double laeq, @Nullable Double lafmax, @Nullable Double lafmin,
			@Nullable Double laf10, @Nullable Double laf50, @Nullable Double laf90, @Nullable Boolean calibrated) {
		if (laeq == null || lafmax == null || lafmin == null || laf10 == null || laf50 == null || laf90 == null
				|| calibrated == null) {
			return null;
		}
		return new SoundLevels(laeq, lafmax, lafmin, laf10, laf50, laf90, calibrated);
	}

	/** The stored reading as a {@code CONFLICT} names it to the device (contract v1.2). */
	ReadingIdentity identity() {
		return ReadingIdentity.of(new Reading(this.deviceId, this.seq, this.sampledAt, this.windowMs, this.rms,
				this.dbfs, this.peak, this.source, this.levels));
	}

	ReadingKey key() {
		return new ReadingKey(this.deviceId, this.seq);
	}

	/** Whether the reading is this one sent again: every field the contract carries, as the table holds it. */
	boolean isSameReadingAs(Reading reading) {
		return this.sampledAt.equals(StoredReading.sampledAt(reading)) && this.windowMs == reading.windowMs()
				&& sameLevel(this.rms, reading.rms()) && sameLevel(this.dbfs, reading.dbfs())
				&& sameLevel(this.peak, reading.peak()) && this.source.equals(reading.source())
				&& sameLevels(this.levels, reading.levels());
	}

	/** A v1 reading and the same window with levels are two readings: a device does not add levels to a re-send. */
	private static boolean sameLevels(@Nullable SoundLevels stored, @Nullable SoundLevels sent) {
		if (stored == null || sent == null) {
			return Objects.equals(stored, sent);
		}
		return stored.calibrated() == sent.calibrated() && sameLevel(stored.laeq(), sent.laeq())
				&& sameLevel(stored.lafmax(), sent.lafmax()) && sameLevel(stored.lafmin(), sent.lafmin())
				&& sameLevel(stored.laf10(), sent.laf10()) && sameLevel(stored.laf50(), sent.laf50())
				&& sameLevel(stored.laf90(), sent.laf90());
	}

	private static boolean sameLevel(double stored, double sent) {
		return stored == sent
				|| Math.abs(stored - sent) <= SAME_LEVEL * Math.max(Math.abs(stored), Math.abs(sent));
	}

}
