package io.decibel.relay.readings;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;

import jakarta.persistence.criteria.Path;
import org.jspecify.annotations.Nullable;

import org.springframework.data.domain.Sort;
import org.springframework.data.jpa.domain.Specification;

/**
 * A reading's place in the order newest stored first: {@code storedAt}, then {@code deviceId}, then {@code seq}, all
 * descending. The key is unique and never changes, so a page that starts after the last reading of the one before
 * shows each reading once, however many are stored meanwhile. A client holds it as an opaque cursor.
 */
record ReadingPosition(Instant storedAt, String deviceId, long seq) {

	/**
	 * The order of the indexes {@code readings_stored_at} (an InnoDB secondary index ends in the primary key) and
	 * {@code readings_device_stored_at}.
	 */
	static final Sort NEWEST_STORED_FIRST = Sort.by(Sort.Order.desc("storedAt"), Sort.Order.desc("deviceId"),
			Sort.Order.desc("seq"));

	private static final char SEPARATOR = ' ';

	static ReadingPosition of(StoredReading reading) {
		return new ReadingPosition(reading.getStoredAt(), reading.getDeviceId(), reading.getSeq());
	}

	/**
	 * The readings after this one, of every device or of one ({@code device}). Spelled out as ranges, which the
	 * database reads from the index. Written as a row comparison, {@code (stored_at, device_id, seq) < (…)}, MariaDB
	 * would scan from the newest reading; with a {@code device_id} range within one device's pages it would merge two
	 * indexes and sort.
	 */
	Specification<StoredReading> readingsAfter(@Nullable String device) {
		return (reading, query, cb) -> {
			Path<Instant> storedAt = reading.get("storedAt");
			Path<String> deviceId = reading.get("deviceId");
			Path<Long> seq = reading.get("seq");
			if (device == null) {
				return cb.or(cb.lessThan(storedAt, this.storedAt),
						cb.and(cb.equal(storedAt, this.storedAt), cb.lessThan(deviceId, this.deviceId)),
						cb.and(cb.equal(storedAt, this.storedAt), cb.equal(deviceId, this.deviceId),
								cb.lessThan(seq, this.seq)));
			}
			// device ids are ASCII: Java orders them as the column's binary collation does
			int order = device.compareTo(this.deviceId);
			if (order == 0) {
				return cb.or(cb.lessThan(storedAt, this.storedAt),
						cb.and(cb.equal(storedAt, this.storedAt), cb.lessThan(seq, this.seq)));
			}
			// a position of another device: the device's readings stored at the same time all come after it, or none
			return (order < 0) ? cb.lessThanOrEqualTo(storedAt, this.storedAt) : cb.lessThan(storedAt, this.storedAt);
		};
	}

	/** The position as a URL-safe token. */
	String cursor() {
		String position = this.storedAt.toString() + SEPARATOR + this.deviceId + SEPARATOR + this.seq;
		return Base64.getUrlEncoder().withoutPadding().encodeToString(position.getBytes(StandardCharsets.UTF_8));
	}

	/** @throws IllegalArgumentException when the token is not one that {@link #cursor()} gave */
	static ReadingPosition ofCursor(String cursor) {
		try {
			String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8)
				.split(String.valueOf(SEPARATOR), -1);
			if (parts.length != 3) {
				throw new IllegalArgumentException("not a cursor of this API");
			}
			return new ReadingPosition(Instant.parse(parts[0]), parts[1], Long.parseLong(parts[2]));
		}
		catch (DateTimeParseException ex) {
			throw new IllegalArgumentException("not a cursor of this API", ex);
		}
	}

}
