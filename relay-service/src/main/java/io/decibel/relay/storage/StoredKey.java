package io.decibel.relay.storage;

import java.time.Instant;

/** The identity of a stored reading and when it was stored: all a duplicate check needs. */
record StoredKey(String deviceId, long seq, Instant storedAt) {

	ReadingKey key() {
		return new ReadingKey(this.deviceId, this.seq);
	}

}
