package io.decibel.relay.storage;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import io.decibel.contract.Ack;
import io.decibel.contract.Reading;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Stores a valid reading once. The answer is the ACK the device gets: {@code STORED} when this call committed the
 * row, {@code DUPLICATE} (with the first storage time) when the reading was already there.
 */
@Component
public class ReadingStore {

	private final StoredReadingRepository repository;

	private final TransactionTemplate transaction;

	private final Clock clock = Clock.systemUTC();

	ReadingStore(StoredReadingRepository repository, TransactionTemplate transaction) {
		this.repository = repository;
		this.transaction = transaction;
	}

	public Ack store(Reading reading, Instant receivedAt) {
		ReadingKey key = new ReadingKey(reading.deviceId(), reading.seq());
		try {
			return this.transaction.execute((status) -> this.repository.findById(key)
				.map((stored) -> Ack.duplicate(reading, stored.getStoredAt()))
				.orElseGet(() -> {
					StoredReading stored = this.repository
						.saveAndFlush(new StoredReading(reading, receivedAt, now()));
					return Ack.stored(reading, stored.getStoredAt());
				}));
		}
		catch (DataIntegrityViolationException ex) {
			// another relay of the share group stored it between our look-up and our insert
			Instant storedAt = this.repository.findById(key).map(StoredReading::getStoredAt).orElseThrow(() -> ex);
			return Ack.duplicate(reading, storedAt);
		}
	}

	// the column keeps microseconds: the ACK must carry the time the table holds
	private Instant now() {
		return this.clock.instant().truncatedTo(ChronoUnit.MICROS);
	}

}
