package io.decibel.relay.readings;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.decibel.contract.Ack;
import io.decibel.contract.Reading;
import io.decibel.relay.quarantine.QuarantineRepository;
import io.decibel.relay.quarantine.QuarantinedPayload;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Stores a batch of valid readings, and the payloads refused beside them, in one transaction: one query finds the
 * readings already stored, one batched insert writes the new ones. Each reading's answer is the ACK its device
 * gets: {@code STORED} when this batch wrote it; {@code DUPLICATE} (with the first storage time) when the same
 * reading was there already or earlier in the same batch; {@code CONFLICT} when another reading holds its
 * {@code (deviceId, seq)} — nothing is overwritten. A failed attempt throws, to be judged by {@link StoreFailure}.
 */
@Component
class ReadingStore {

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

	/**
	 * One attempt, in one transaction.
	 * @return the ACK of each reading, in the order given
	 */
	List<Ack> store(List<Reading> batch, Instant receivedAt, List<QuarantinedPayload> refused) {
		Timer.Sample sample = Timer.start();
		try {
			List<Ack> acks = this.transaction.execute((status) -> write(batch, receivedAt, refused));
			sample.stop(this.committed);
			return acks;
		}
		catch (RuntimeException ex) {
			sample.stop(this.failed);
			throw ex;
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
		Map<ReadingKey, StoredContent> stored = storedAmong(batch);
		Instant storedAt = now();
		List<StoredReading> inserts = new ArrayList<>(batch.size());
		Ack[] acks = new Ack[batch.size()];
		List<Integer> conflicts = new ArrayList<>(0);
		for (int i = 0; i < batch.size(); i++) {
			Reading reading = batch.get(i);
			StoredContent earlier = stored.putIfAbsent(new ReadingKey(reading.deviceId(), reading.seq()),
					StoredContent.of(reading, storedAt));
			if (earlier == null) {
				inserts.add(new StoredReading(reading, receivedAt, storedAt));
				acks[i] = Ack.stored(reading, storedAt);
			}
			else if (earlier.isSameReadingAs(reading)) {
				acks[i] = Ack.duplicate(reading, earlier.storedAt());
			}
			else {
				conflicts.add(i);
			}
		}
		this.readings.saveAll(inserts);
		// fresh rows: an attempt rolled back after their IDENTITY insert leaves the ids on them; saved again, they
		// would be merged rather than inserted
		this.quarantine.saveAll(refused.stream().map(QuarantinedPayload::unsaved).toList());
		this.readings.flush();
		if (!conflicts.isEmpty()) {
			answerConflicts(batch, conflicts, stored, acks);
		}
		return Arrays.asList(acks);
	}

	/** Conflicts are rare: only they pay for asking the device's highest seq (this batch's inserts included). */
	private void answerConflicts(List<Reading> batch, List<Integer> conflicts, Map<ReadingKey, StoredContent> stored,
			Ack[] acks) {
		Map<String, Long> highest = new HashMap<>();
		for (int i : conflicts) {
			Reading reading = batch.get(i);
			long highestSeq = highest.computeIfAbsent(reading.deviceId(), this.readings::findHighestSeq);
			StoredContent holder = stored.get(new ReadingKey(reading.deviceId(), reading.seq()));
			acks[i] = Ack.conflict(reading, holder.storedAt(), highestSeq);
		}
	}

	private Map<ReadingKey, StoredContent> storedAmong(List<Reading> batch) {
		Map<ReadingKey, StoredContent> stored = new HashMap<>();
		if (batch.isEmpty()) {
			return stored;
		}
		Set<String> deviceIds = new HashSet<>();
		Set<Long> seqs = new HashSet<>();
		for (Reading reading : batch) {
			deviceIds.add(reading.deviceId());
			seqs.add(reading.seq());
		}
		for (StoredContent found : this.readings.findStoredAmong(deviceIds, seqs)) {
			stored.put(found.key(), found);
		}
		return stored;
	}

	// the column keeps microseconds: the ACK must carry the time the table holds
	private Instant now() {
		return this.clock.instant().truncatedTo(ChronoUnit.MICROS);
	}

}
