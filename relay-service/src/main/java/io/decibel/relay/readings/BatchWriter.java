package io.decibel.relay.readings;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;

import io.decibel.contract.Ack;
import io.decibel.contract.Reading;
import io.decibel.relay.quarantine.QuarantinedPayload;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a batch until each of its readings has an answer, one transaction per attempt, and never stops the relay
 * for one reading. What happens after a failed attempt depends on the {@link StoreFailure}:
 * <ul>
 * <li>transient (the database away, busy, locked): the same part again after a pause, growing up to the back-off,
 * for as long as it takes; only the relay's stop ends the wait, leaving the deliveries to the broker;</li>
 * <li>duplicate key (a key of the batch is stored already: a reading sent again, or one another relay of the share
 * group stored since the look-up): again at once, looking the keys up first ({@link ReadingStore}); a few times at
 * most;</li>
 * <li>lasting (a constraint, a value the column cannot hold, a trigger): the part is split in halves, each written on
 * its own, down to the single readings the database refuses; each is answered {@code REJECTED} with the database's
 * reason and its payload quarantined; the others are stored;</li>
 * <li>unknown: treated as transient {@value #MAX_UNKNOWN_RETRIES} times, then as lasting. Every failure of a database
 * that is away or short of something is known, and classified transient; an unknown one that repeats on the same
 * readings is more likely about them, and retrying it for ever would halt this relay and, once the devices re-send,
 * every relay of the share group. Splitting costs a few transactions per refused reading.</li>
 * </ul>
 * The validation rejections' quarantine rows ride with the readings and are split off like them; a quarantine row
 * the database refuses for good is dropped with an error line (its content went out as a dead letter).
 */
final class BatchWriter {

	/** The prefix of the reason a reading refused by the database is answered with. */
	static final String DATABASE_REFUSED = QuarantinedPayload.DATABASE_REFUSED;

	static final int MAX_DUPLICATE_KEY_RETRIES = 3;

	static final int MAX_UNKNOWN_RETRIES = 3;

	private static final Logger LOG = LoggerFactory.getLogger(BatchWriter.class);

	private final ReadingStore store;

	private final Duration retryBackoff;

	private final BooleanSupplier running;

	private final Map<StoreFailure, Counter> retries;

	private final Counter splits;

	BatchWriter(ReadingStore store, Duration retryBackoff, BooleanSupplier running, MeterRegistry meters) {
		this.store = store;
		this.retryBackoff = retryBackoff;
		this.running = running;
		this.retries = Map.of(StoreFailure.TRANSIENT, retries(meters, StoreFailure.TRANSIENT),
				StoreFailure.DUPLICATE_KEY, retries(meters, StoreFailure.DUPLICATE_KEY), StoreFailure.UNKNOWN,
				retries(meters, StoreFailure.UNKNOWN));
		this.splits = Counter.builder("decibel.relay.store.splits")
			.description("Parts of batches split in two after the database refused them for a lasting reason")
			.register(meters);
	}

	private static Counter retries(MeterRegistry meters, StoreFailure failure) {
		return Counter.builder("decibel.relay.store.retries")
			.description("Attempts to store a batch (or a part of one) made again after a failure")
			.tag("failure", failure.name().toLowerCase(Locale.ROOT))
			.register(meters);
	}

	/**
	 * @param quarantined the quarantine row for the reading at an index, refused with the given reason
	 * @return the ACK of each reading, in order ({@code REJECTED} for those the database refused), or {@code null}
	 * when the relay stops before all were written
	 */
	@Nullable List<Ack> write(List<Reading> readings, Instant receivedAt, List<QuarantinedPayload> refused,
			BiFunction<Integer, String, QuarantinedPayload> quarantined) {
		Ack[] acks = new Ack[readings.size()];
		Deque<Part> parts = new ArrayDeque<>();
		parts.push(new Part(0, readings.size(), refused));
		boolean split = false;
		while (!parts.isEmpty()) {
			Part part = parts.pop();
			Outcome outcome = writePart(part, readings, receivedAt, acks);
			if (outcome.stopped()) {
				return null;
			}
			RuntimeException refusal = outcome.refusal();
			if (refusal == null) {
				continue;
			}
			String reason = StoreFailure.reasonOf(refusal);
			if (part.size() > 1) {
				if (!split) {
					LOG.warn("The database refused a batch of {} for a lasting reason ({}): splitting it to find what "
							+ "it refuses", part.size(), reason);
					split = true;
				}
				this.splits.increment();
				List<Part> halves = part.halves();
				parts.push(halves.get(1));
				parts.push(halves.get(0));
			}
			else if (part.from() < part.to()) {
				Reading reading = readings.get(part.from());
				acks[part.from()] = Ack.rejected(reading.deviceId(), reading.seq(), DATABASE_REFUSED + reason);
				parts.push(new Part(part.to(), part.to(), List.of(quarantined.apply(part.from(),
						DATABASE_REFUSED + reason))));
			}
			else {
				LOG.error("The database refused a quarantine row for a lasting reason, dropped (its dead letter went "
						+ "out): {}", reason);
			}
		}
		return Arrays.asList(acks);
	}

	/** Writes one part, again and again while the failure is worth retrying. */
	private Outcome writePart(Part part, List<Reading> readings, Instant receivedAt, Ack[] acks) {
		Backoff backoff = new Backoff(this.retryBackoff, this.running);
		int duplicateKeys = 0;
		int unknown = 0;
		boolean waited = false;
		while (true) {
			try {
				List<Ack> written = this.store.store(readings.subList(part.from(), part.to()), receivedAt,
						part.refused());
				for (int i = 0; i < written.size(); i++) {
					acks[part.from() + i] = written.get(i);
				}
				if (waited) {
					LOG.info("Database back: stored {} after waiting for it", part);
				}
				return Outcome.WRITTEN;
			}
			catch (RuntimeException ex) {
				StoreFailure failure = StoreFailure.of(ex);
				if (failure == StoreFailure.DUPLICATE_KEY && ++duplicateKeys <= MAX_DUPLICATE_KEY_RETRIES) {
					// no pause: the rows holding the keys are committed, and the look-up now finds them
					this.retries.get(failure).increment();
					continue;
				}
				boolean unknownAgain = failure == StoreFailure.UNKNOWN && ++unknown <= MAX_UNKNOWN_RETRIES;
				if (failure != StoreFailure.TRANSIENT && !unknownAgain) {
					return new Outcome(false, ex);
				}
				if (!waited) {
					LOG.warn("Could not store {}, trying again {}: {}", part,
							unknownAgain ? "up to " + MAX_UNKNOWN_RETRIES + " times (an unknown failure)"
									: "until the database answers",
							ex.toString());
					waited = true;
				}
				this.retries.get(failure).increment();
				if (!backoff.pause()) {
					return Outcome.STOPPED;
				}
			}
		}
	}

	/**
	 * Readings {@code from} (inclusive) to {@code to} (exclusive) of the batch, and quarantine rows. Split first into
	 * the readings and the rows, then in halves.
	 */
	private record Part(int from, int to, List<QuarantinedPayload> refused) {

		int size() {
			return this.to - this.from + this.refused.size();
		}

		List<Part> halves() {
			if (this.from < this.to && !this.refused.isEmpty()) {
				return List.of(new Part(this.from, this.to, List.of()), new Part(this.to, this.to, this.refused));
			}
			if (this.from < this.to) {
				int middle = (this.from + this.to) >>> 1;
				return List.of(new Part(this.from, middle, List.of()), new Part(middle, this.to, List.of()));
			}
			int middle = this.refused.size() / 2;
			return List.of(new Part(this.from, this.to, this.refused.subList(0, middle)),
					new Part(this.from, this.to, this.refused.subList(middle, this.refused.size())));
		}

		@Override
		public String toString() {
			return (this.refused.isEmpty()) ? (this.to - this.from) + " readings"
					: (this.to - this.from) + " readings and " + this.refused.size() + " quarantine rows";
		}

	}

	/** How a part went: written, refused for good (with the failure), or left because the relay stops. */
	private record Outcome(boolean stopped, @Nullable RuntimeException refusal) {

		static final Outcome WRITTEN = new Outcome(false, null);

		static final Outcome STOPPED = new Outcome(true, null);

	}

}
