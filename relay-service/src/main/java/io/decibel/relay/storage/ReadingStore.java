package io.decibel.relay.storage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.decibel.contract.Ack;
import io.decibel.contract.Reading;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Stores a batch of valid readings, and the payloads refused beside them, in one transaction: one query finds the
 * readings already stored, one batched insert writes the new ones. Each reading's answer is the ACK its device
 * gets: {@code STORED} when this batch wrote it, {@code DUPLICATE} (with the first storage time) when it was there
 * already or earlier in the same batch.
 */
@Component
public class ReadingStore {

	private final StoredReadingRepository readings;

	private final QuarantineRepository quarantine;

	private final TransactionTemplate transaction;

	private final Clock clock = Clock.systemUTC();

	private final Timer committed;

	private final Timer failed;

	ReadingStore(StoredReadingRepository readings, QuarantineRepository quarantine, TransactionTemplate transaction,
			MeterRegistry meters) {
		this.readings = readings;
		this.quarantine = quarantine;
		this.transaction = transaction;
		this.committed = latency(meters, "committed");
		this.failed = latency(meters, "failed");
	}

	/** @return the ACK of each reading, in the order given */
	public List<Ack> store(List<Reading> batch, Instant receivedAt, List<QuarantinedPayload> refused) {
		Timer.Sample sample = Timer.start();
		try {
			List<Ack> acks = writeOnce(batch, receivedAt, refused);
			sample.stop(this.committed);
			return acks;
		}
		catch (RuntimeException ex) {
			sample.stop(this.failed);
			throw ex;
		}
	}

	private List<Ack> writeOnce(List<Reading> batch, Instant receivedAt, List<QuarantinedPayload> refused) {
		try {
			return this.transaction.execute((status) -> write(batch, receivedAt, refused));
		}
		catch (DataIntegrityViolationException ex) {
			// another relay of the share group stored some of them between our look-up and our insert: look again
			return this.transaction.execute((status) -> write(batch, receivedAt, refused));
		}
	}

	/** One attempt to store a batch, from the look-up to the commit; a histogram, for percentiles across relays. */
	private static Timer latency(MeterRegistry meters, String outcome) {
		return Timer.builder("decibel.relay.store.latency")
			.description("One attempt to store a batch: look-up, batched insert, commit")
			.tag("outcome", outcome)
			.publishPercentileHistogram()
			.minimumExpectedValue(Duration.ofMillis(1))
			.maximumExpectedValue(Duration.ofSeconds(10))
			.register(meters);
	}

	private List<Ack> write(List<Reading> batch, Instant receivedAt, List<QuarantinedPayload> refused) {
		Map<ReadingKey, Instant> stored = storedAmong(batch);
		Instant storedAt = now();
		List<StoredReading> inserts = new ArrayList<>(batch.size());
		List<Ack> acks = new ArrayList<>(batch.size());
		for (Reading reading : batch) {
			ReadingKey key = new ReadingKey(reading.deviceId(), reading.seq());
			Instant earlier = stored.putIfAbsent(key, storedAt);
			if (earlier != null) {
				acks.add(Ack.duplicate(reading, earlier));
			}
			else {
				inserts.add(new StoredReading(reading, receivedAt, storedAt));
				acks.add(Ack.stored(reading, storedAt));
			}
		}
		this.readings.saveAll(inserts);
		this.quarantine.saveAll(refused);
		this.readings.flush();
		return acks;
	}

	private Map<ReadingKey, Instant> storedAmong(List<Reading> batch) {
		Map<ReadingKey, Instant> stored = new HashMap<>();
		if (batch.isEmpty()) {
			return stored;
		}
		Set<String> deviceIds = new HashSet<>();
		Set<Long> seqs = new HashSet<>();
		for (Reading reading : batch) {
			deviceIds.add(reading.deviceId());
			seqs.add(reading.seq());
		}
		for (StoredKey found : this.readings.findStoredKeys(deviceIds, seqs)) {
			stored.put(found.key(), found.storedAt());
		}
		return stored;
	}

	// the column keeps microseconds: the ACK must carry the time the table holds
	private Instant now() {
		return this.clock.instant().truncatedTo(ChronoUnit.MICROS);
	}

}
