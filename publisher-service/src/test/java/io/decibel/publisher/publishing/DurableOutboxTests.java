package io.decibel.publisher.publishing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.decibel.contract.Reading;
import io.decibel.contract.ReadingIdentity;
import io.decibel.contract.TelemetryCodec;
import io.decibel.publisher.PublisherProperties.OutboxFull;
import io.decibel.publisher.publishing.DurableOutbox.Renumbered;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.decibel.publisher.publishing.OutboxLogTests.reading;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** The outbox on disk without a broker: the flusher's part is played by the test, batch by batch. */
class DurableOutboxTests {

	@TempDir
	Path stateDir;

	private final List<DurableOutbox> opened = new ArrayList<>();

	@AfterEach
	void close() {
		this.opened.forEach(DurableOutbox::close);
	}

	@Test
	void aReadingIsDueOnlyOnceItIsOnDisk() throws Exception {
		// given
		PendingReadings pending = pending(10, OutboxFull.BLOCK);
		DurableOutbox outbox = open(pending);
		outbox.keep(OutboxLogTests::reading, 0);

		// when / then: overdue, but not written yet
		assertThat(pending.due(Duration.ofMinutes(1).toNanos())).isEmpty();
		DurableOutbox.Batch batch = outbox.nextBatch(Duration.ZERO);
		outbox.write(batch);
		assertThat(batch.readings()).extracting(Reading::seq).containsExactly(0L);
		assertThat(pending.due(Duration.ofMinutes(1).toNanos())).extracting(Reading::seq).containsExactly(0L);
	}

	@Test
	void keepsWhatIsNotAcknowledgedAcrossARestartAndNumbersOnAfterTheHighestSeq() throws Exception {
		// given: 0..4 kept and written, 1 and 3 acknowledged; the process dies without closing
		DurableOutbox before = open(pending(10, OutboxFull.BLOCK));
		keepAndWrite(before, 5);
		before.acknowledge(1, 0);
		before.acknowledge(3, 0);
		before.write(before.nextBatch(Duration.ZERO));
		crash(before);

		// when
		PendingReadings pending = pending(10, OutboxFull.BLOCK);
		DurableOutbox after = open(pending);
		DurableOutbox.Batch resent = after.nextBatch(Duration.ZERO);
		after.write(resent);
		Reading next = after.keep(OutboxLogTests::reading, 0).orElseThrow().reading();

		// then: the kept ones first, oldest first, then numbering goes on
		assertThat(after.recovered()).isEqualTo(3);
		assertThat(resent.readings()).containsExactly(reading(0), reading(2), reading(4));
		assertThat(next.seq()).isEqualTo(5);
		assertThat(pending.readings()).extracting(Reading::seq).containsExactly(0L, 2L, 4L, 5L);
	}

	@Test
	void aReadingKeptButNeverWrittenLeavesItsSeqFreeAfterACrash() throws Exception {
		// given: it was never sent either: nobody saw its seq
		DurableOutbox before = open(pending(10, OutboxFull.BLOCK));
		keepAndWrite(before, 2);
		before.keep(OutboxLogTests::reading, 0);
		crash(before);

		// when
		DurableOutbox after = open(pending(10, OutboxFull.BLOCK));

		// then
		assertThat(after.keep(OutboxLogTests::reading, 0).orElseThrow().reading().seq()).isEqualTo(2);
	}

	@Test
	void aConflictMovesTheCounterPastTheRelaysHighestSeqAndNumbersTheConflictedReadingAgain() throws Exception {
		// given: a device that lost its state numbers from 0 again
		PendingReadings pending = pending(10, OutboxFull.BLOCK);
		DurableOutbox outbox = open(pending);
		keepAndWrite(outbox, 3);

		// when
		DurableOutbox.Renumbering renumbering = outbox.conflict(0, 41, another(0), null, 0);
		DurableOutbox.Batch batch = outbox.nextBatch(Duration.ZERO);
		outbox.write(batch);

		// then: same content and sampledAt, a new seq; the old one settled
		assertThat(renumbering.counterMoved()).isTrue();
		assertThat(renumbering.conflicted()).isPresent();
		assertThat(renumbering.renumbered()).containsExactly(new Renumbered(0, 42));
		assertThat(batch.readings()).containsExactly(withSeq(reading(0), 42));
		assertThat(outbox.keep(OutboxLogTests::reading, 0).orElseThrow().reading().seq()).isEqualTo(43);
		assertThat(outbox.renumbered()).isEqualTo(1);

		// and a later answer for an old seq moves nothing
		assertThat(outbox.conflict(0, 41, another(0), null, 0).counterMoved()).isFalse();
		assertThat(outbox.conflict(0, 41, another(0), null, 0).renumbered()).isEmpty();
	}

	@Test
	void aPendingReadingAtOrBelowTheRelaysHighestSeqKeepsItsSeqUntilItsOwnAnswer() throws Exception {
		// given: seq 0 held by another reading; seq 1 stored by the relay in the same batch, its ACK still on the way
		PendingReadings pending = pending(10, OutboxFull.BLOCK);
		DurableOutbox outbox = open(pending);
		keepAndWrite(outbox, 3);

		// when
		outbox.conflict(0, 1, another(0), null, 0);

		// then: seq 1 is not numbered again — numbered again, the relay would store it twice
		assertThat(pending.readings()).extracting(Reading::seq).containsExactly(1L, 2L, 3L);
		assertThat(outbox.acknowledge(1, 0)).isPresent();
		assertThat(pending.readings()).extracting(Reading::seq).containsExactly(2L, 3L);
	}

	@Test
	void aConflictThatNamesThePendingReadingAsTheHolderSettlesItAsStored() throws Exception {
		// given: seq 0 stored, its STORED lost; an older reading's copy under seq 0, still queued, answered CONFLICT
		PendingReadings pending = pending(10, OutboxFull.BLOCK);
		DurableOutbox outbox = open(pending);
		keepAndWrite(outbox, 3);

		// when: with the seq alone as Correlation Data (a v1 device's copy), or naming the older reading's send
		DurableOutbox.Renumbering first = outbox.conflict(0, 2, ReadingIdentity.of(reading(0)), null, 0);
		DurableOutbox.Renumbering second = outbox.conflict(1, 2, ReadingIdentity.of(reading(1)),
				sendOf(another(1), 1, 1), 0);

		// then: settled, not numbered again — numbered again, the relay would store it twice
		assertThat(first.storedBefore()).map((stored) -> stored.reading()).contains(reading(0));
		assertThat(second.storedBefore()).map((stored) -> stored.reading()).contains(reading(1));
		assertThat(first.conflicted()).isEmpty();
		assertThat(first.renumbered()).isEmpty();
		assertThat(pending.readings()).containsExactly(reading(2));
		assertThat(outbox.renumbered()).isZero();
		assertThat(outbox.nextBatch(Duration.ZERO).readings()).isEmpty();
	}

	@Test
	void aConflictThatNamesAnotherReadingNumbersThePendingOneAgainWhicheverCopyItAnswers() throws Exception {
		// given
		PendingReadings pending = pending(10, OutboxFull.BLOCK);
		DurableOutbox outbox = open(pending);
		keepAndWrite(outbox, 2);

		// when: the answer is to the other reading's copy, which the relay names as the holder
		DurableOutbox.Renumbering renumbering = outbox.conflict(0, 41, another(0), sendOf(another(0), 0, 3), 0);

		// then: the seq can never hold the pending reading
		assertThat(renumbering.storedBefore()).isEmpty();
		assertThat(renumbering.renumbered()).containsExactly(new Renumbered(0, 42));
	}

	@Test
	void aConflictFromARelayThatNamesNoHolderNumbersAgainOnlyTheReadingItAnswers() throws Exception {
		// given: a v1.1 relay
		PendingReadings pending = pending(10, OutboxFull.BLOCK);
		DurableOutbox outbox = open(pending);
		keepAndWrite(outbox, 3);

		// when
		DurableOutbox.Renumbering toAnother = outbox.conflict(0, 41, null, sendOf(another(0), 0, 1), 0);
		DurableOutbox.Renumbering toItself = outbox.conflict(1, 41, null, sendOf(reading(1), 2), 0);
		DurableOutbox.Renumbering bySeq = outbox.conflict(2, 41, null, null, 0);

		// then: an answer to another reading's copy changes nothing but the counter; the others number again
		assertThat(toAnother.renumbered()).isEmpty();
		assertThat(toAnother.counterMoved()).isTrue();
		assertThat(toItself.renumbered()).containsExactly(new Renumbered(1, 42));
		assertThat(bySeq.renumbered()).containsExactly(new Renumbered(2, 43));
		assertThat(pending.readings()).extracting(Reading::seq).containsExactly(0L, 42L, 43L);
	}

	@Test
	void anAnswerToAnotherReadingsCopyUnderTheSeqSettlesNothing() throws Exception {
		// given
		PendingReadings pending = pending(10, OutboxFull.BLOCK);
		DurableOutbox outbox = open(pending);
		keepAndWrite(outbox, 1);

		// when / then
		assertThat(outbox.acknowledge(0, sendOf(another(0), 0, 1), 0)).isEmpty();
		assertThat(pending.readings()).containsExactly(reading(0));
		assertThat(outbox.acknowledge(0, sendOf(reading(0), 2), 0)).isPresent();
		assertThat(pending.readings()).isEmpty();
	}

	@Test
	void aMovedCounterSurvivesARestart() throws Exception {
		// given
		DurableOutbox before = open(pending(10, OutboxFull.BLOCK));
		keepAndWrite(before, 1);
		before.conflict(0, 41, another(0), null, 0);
		before.write(before.nextBatch(Duration.ZERO));
		crash(before);

		// when
		PendingReadings pending = pending(10, OutboxFull.BLOCK);
		DurableOutbox after = open(pending);

		// then
		assertThat(pending.readings()).containsExactly(withSeq(reading(0), 42));
		assertThat(after.keep(OutboxLogTests::reading, 0).orElseThrow().reading().seq()).isEqualTo(43);
	}

	@Test
	void settledRecordsAreCompactedAwayOnceTheyDominate() throws Exception {
		// given: many readings kept and acknowledged, two left pending
		DurableOutbox outbox = open(pending(10, OutboxFull.BLOCK));
		int total = DurableOutbox.COMPACT_AFTER;
		for (int i = 0; i < total; i++) {
			long seq = outbox.keep(OutboxLogTests::reading, 0).orElseThrow().reading().seq();
			if (i < total - 2) {
				outbox.acknowledge(seq, 0);
			}
		}

		// when
		DurableOutbox.Batch batch = outbox.nextBatch(Duration.ZERO);
		outbox.write(batch);
		crash(outbox);
		PendingReadings pending = pending(10, OutboxFull.BLOCK);
		DurableOutbox after = open(pending);

		// then
		assertThat(batch.compacted()).isTrue();
		assertThat(batch.records().length).isLessThan(1_000);
		assertThat(pending.readings()).extracting(Reading::seq).containsExactly(total - 2L, total - 1L);
		assertThat(after.keep(OutboxLogTests::reading, 0).orElseThrow().reading().seq()).isEqualTo(total);
	}

	@Test
	void aFullOutboxUnderDropOldestGivesUpTheOldestOnDiskToo() throws Exception {
		// given
		DurableOutbox before = open(pending(3, OutboxFull.DROP_OLDEST));
		keepAndWrite(before, 3);

		// when
		DurableOutbox.Kept kept = before.keep(OutboxLogTests::reading, 0).orElseThrow();
		before.write(before.nextBatch(Duration.ZERO));
		crash(before);
		PendingReadings pending = pending(3, OutboxFull.DROP_OLDEST);
		open(pending);

		// then
		assertThat(kept.givenUp()).contains(reading(0));
		assertThat(pending.readings()).extracting(Reading::seq).containsExactly(1L, 2L, 3L);
	}

	@Test
	void aFullOutboxUnderBlockKeepsNothingMore() throws Exception {
		// given
		DurableOutbox outbox = open(pending(2, OutboxFull.BLOCK));
		keepAndWrite(outbox, 2);

		// when / then: the seq is not taken
		assertThat(outbox.keep(OutboxLogTests::reading, 0)).isEmpty();
		outbox.acknowledge(0, 0);
		assertThat(outbox.keep(OutboxLogTests::reading, 0).orElseThrow().reading().seq()).isEqualTo(2);
	}

	@Test
	void aCheckpointAheadOfTheLogMovesTheCounterOn() throws Exception {
		// given: the log lost, the checkpoint left
		new SequenceStore(this.stateDir, "kitchen").write(17);

		// when
		DurableOutbox outbox = open(pending(10, OutboxFull.BLOCK));

		// then
		assertThat(outbox.keep(OutboxLogTests::reading, 0).orElseThrow().reading().seq()).isEqualTo(17);
	}

	@Test
	void aSecondOutboxOnTheSameFilesIsRefused() {
		// given
		open(pending(10, OutboxFull.BLOCK));

		// when / then
		assertThatIllegalStateException().isThrownBy(() -> open(pending(10, OutboxFull.BLOCK)))
			.withMessageContaining("Another publisher of device 'kitchen'");
	}

	private void keepAndWrite(DurableOutbox outbox, int readings) throws InterruptedException {
		for (int i = 0; i < readings; i++) {
			outbox.keep(OutboxLogTests::reading, 0);
		}
		outbox.write(outbox.nextBatch(Duration.ZERO));
	}

	/** Leaves the outbox as a killed process would: what is not written stays unwritten; the lock goes. */
	private void crash(DurableOutbox outbox) throws Exception {
		this.opened.remove(outbox);
		outbox.abandon();
	}

	private DurableOutbox open(PendingReadings pending) {
		DurableOutbox outbox = new DurableOutbox(this.stateDir, "kitchen", pending, new TelemetryCodec());
		this.opened.add(outbox);
		return outbox;
	}

	private static PendingReadings pending(int capacity, OutboxFull whenFull) {
		return new PendingReadings(Duration.ofSeconds(5), capacity, whenFull);
	}

	/** Another reading under the same seq: the one a device numbered so before it lost its state. */
	static ReadingIdentity another(long seq) {
		return ReadingIdentity.of(anotherReading(seq));
	}

	static Reading anotherReading(long seq) {
		Reading mine = reading(seq);
		return new Reading(mine.deviceId(), seq, mine.sampledAt().minusSeconds(86_400), mine.windowMs(), mine.rms(),
				mine.dbfs(), mine.peak(), mine.source());
	}

	/** The Correlation Data of a send of the reading, as the relay echoes it. */
	static Correlation sendOf(Reading reading, int send) {
		return sendOf(ReadingIdentity.of(reading), reading.seq(), send);
	}

	static Correlation sendOf(ReadingIdentity identity, long seq, int send) {
		return Correlation.parse(Correlation.of(seq, identity, send));
	}

	private static Reading withSeq(Reading reading, long seq) {
		return new Reading(reading.deviceId(), seq, reading.sampledAt(), reading.windowMs(), reading.rms(),
				reading.dbfs(), reading.peak(), reading.source());
	}

}
