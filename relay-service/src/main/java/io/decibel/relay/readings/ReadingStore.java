package io.decibel.relay.readings;

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
import io.decibel.relay.levels.LevelMinutes;
import io.decibel.relay.database.DatabaseClock;
import io.decibel.relay.quarantine.QuarantineRepository;
import io.decibel.relay.quarantine.QuarantinedPayload;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Stores a batch of valid readings, and the payloads refused beside them, in one transaction. Each reading's answer
 * is the ACK its device gets: {@code STORED} when this batch wrote it; {@code DUPLICATE} (with the first storage time)
 * when the same reading was there already or earlier in the same batch; {@code CONFLICT} when another reading holds
 * its {@code (deviceId, seq)} — nothing is overwritten. A failed attempt throws, to be judged by {@link StoreFailure}.
 * <p>
 * Most batches hold only new readings, so a batch is inserted without a look-up first, and looked up only when the
 * database says a key is taken: that transaction rolls back, and a second one asks which of the batch's keys are
 * stored (one query) and inserts the rest. While devices re-send (after a relay or the database was away) most
 * batches would pay that twice, so after a taken key the store looks up first, until a look-up finds none of a
 * batch's keys stored.
 */
@Component
class ReadingStore {

	private final StoredReadingRepository readings;

	private final QuarantineRepository quarantine;

	private final LevelMinutes levels;

	private final TransactionTemplate transaction;

	private final DatabaseClock clock;

	private final Timer committed;

	private final Timer failed;

	private final Timer keyTaken;

	/** Whether a batch is looked up before it is inserted; on the writer thread only. */
	private boolean lookUpFirst;

	ReadingStore(StoredReadingRepository readings, QuarantineRepository quarantine, LevelMinutes levels,
			TransactionTemplate transaction, MeterRegistry meters, DatabaseClock clock) {
		this.readings = readings;
		this.clock = clock;
		this.quarantine = quarantine;
		this.levels = levels;
		this.transaction = transaction;
		this.committed = latency(meters, "committed");
		this.failed = latency(meters, "failed");
		this.keyTaken = latency(meters, "key-taken");
	}

	/**
	 * One attempt: a transaction, or two when a key the batch did not look up is taken.
	 * @return the ACK of each reading, in the order given
	 */
	List<Ack> store(List<Reading> batch, Instant receivedAt, List<QuarantinedPayload> refused) {
		if (!this.lookUpFirst) {
			Timer.Sample sample = Timer.start();
			try {
				return commit(batch, receivedAt, refused, false, sample);
			}
			catch (RuntimeException ex) {
				if (StoreFailure.of(ex) != StoreFailure.DUPLICATE_KEY) {
					sample.stop(this.failed);
					throw ex;
				}
				sample.stop(this.keyTaken);
				this.lookUpFirst = true;
			}
		}
		Timer.Sample sample = Timer.start();
		try {
			return commit(batch, receivedAt, refused, true, sample);
		}
		catch (RuntimeException ex) {
			sample.stop(this.failed);
			throw ex;
		}
	}

	private List<Ack> commit(List<Reading> batch, Instant receivedAt, List<QuarantinedPayload> refused,
			boolean lookUp, Timer.Sample sample) {
		List<Ack> acks = this.transaction.execute((status) -> write(batch, receivedAt, refused, lookUp));
		sample.stop(this.committed);
		return acks;
	}

	/** Whether the next batch is looked up before it is inserted: after a taken key, until a look-up finds none. */
	boolean looksUpFirst() {
		return this.lookUpFirst;
	}

	/** One transaction, from the look-up to the commit; a histogram, for percentiles across relays. */
	private static Timer latency(MeterRegistry meters, String outcome) {
		return Timer.builder("decibel.relay.store.latency")
			.description("One transaction storing a batch: look-up (when made), batched insert, commit;"
					+ " key-taken: an insert without look-up that found a key taken, rolled back")
			.tag("outcome", outcome)
			.publishPercentileHistogram()
			.minimumExpectedValue(Duration.ofMillis(1))
			.maximumExpectedValue(Duration.ofSeconds(10))
			.register(meters);
	}

	private List<Ack> write(List<Reading> batch, Instant receivedAt, List<QuarantinedPayload> refused,
			boolean lookUp) {
		Map<ReadingKey, StoredContent> stored = new HashMap<>();
		if (lookUp) {
			lookUp(batch, stored);
			this.lookUpFirst = !stored.isEmpty();
		}
		Instant storedAt = now();
		List<StoredReading> inserts = new ArrayList<>(batch.size());
		List<Reading> inserted = new ArrayList<>(batch.size());
		Ack[] acks = new Ack[batch.size()];
		List<Integer> conflicts = new ArrayList<>(0);
		for (int i = 0; i < batch.size(); i++) {
			Reading reading = batch.get(i);
			StoredContent earlier = stored.putIfAbsent(new ReadingKey(reading.deviceId(), reading.seq()),
					StoredContent.of(reading, storedAt));
			if (earlier == null) {
				inserts.add(new StoredReading(reading, receivedAt, storedAt));
				inserted.add(reading);
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
		// the readings inserted, and only they, count in their minutes: in this transaction, after the insert
		this.levels.add(inserted);
		return Arrays.asList(acks);
	}

	/**
	 * Conflicts are rare: only they pay for asking the device's highest seq (this batch's inserts included). The answer
	 * names the reading that holds the seq, so that a device can tell its own reading, stored before, from another.
	 */
	private void answerConflicts(List<Reading> batch, List<Integer> conflicts, Map<ReadingKey, StoredContent> stored,
			Ack[] acks) {
		Map<String, Long> highest = new HashMap<>();
		for (int i : conflicts) {
			Reading reading = batch.get(i);
			long highestSeq = highest.computeIfAbsent(reading.deviceId(), this.readings::findHighestSeq);
			StoredContent holder = stored.get(new ReadingKey(reading.deviceId(), reading.seq()));
			acks[i] = Ack.conflict(reading, holder.storedAt(), highestSeq, holder.identity());
		}
	}

	/** Puts the readings of the batch already stored into {@code stored}. */
	private void lookUp(List<Reading> batch, Map<ReadingKey, StoredContent> stored) {
		if (batch.isEmpty()) {
			return;
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
	}

	// by the database's clock, which retention ages the row by, whatever this relay's clock says; the column keeps
	// microseconds: the ACK must carry the time the table holds
	private Instant now() {
		return this.clock.measuredInstant().truncatedTo(ChronoUnit.MICROS);
	}

}
