package io.decibel.publisher.publishing;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.decibel.contract.Reading;
import io.decibel.contract.ReadingIdentity;
import io.decibel.publisher.PublisherProperties.OutboxFull;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** Times are given, not measured: the clock here is a number the test chooses. */
class PendingReadingsTests {

	private static final long SECOND = Duration.ofSeconds(1).toNanos();

	private static final long MILLISECOND = Duration.ofMillis(1).toNanos();

	private final PendingReadings pending = new PendingReadings(Duration.ofSeconds(5), 100, OutboxFull.BLOCK);

	@Test
	void readingIsDueOnceItsAckIsOverdueThenLessOften() {
		// given
		this.pending.add(reading(7), 0);
		this.pending.sent(7, 0);

		// when / then
		assertThat(this.pending.due(4 * SECOND)).isEmpty();
		assertThat(this.pending.due(5 * SECOND)).extracting(Reading::seq).containsExactly(7L);
		this.pending.sent(7, 5 * SECOND);
		assertThat(this.pending.due(14 * SECOND)).isEmpty();
		assertThat(this.pending.due(15 * SECOND)).extracting(Reading::seq).containsExactly(7L);
	}

	@Test
	void eachSendOfAReadingIsNumberedAndNamesTheReading() {
		// given
		this.pending.add(reading(7), 0);

		// when
		PendingReadings.Send first = this.pending.sent(7, 0);
		PendingReadings.Send refused = this.pending.sent(7, 5 * SECOND);
		this.pending.notSent(refused);
		PendingReadings.Send second = this.pending.sent(7, 5 * SECOND);
		this.pending.acknowledge(7, 6 * SECOND);
		PendingReadings.Send afterItsAck = this.pending.sent(7, 6 * SECOND);

		// then: a send that never left does not count
		assertThat(first.number()).isEqualTo(1);
		assertThat(second.number()).isEqualTo(2);
		assertThat(second.identity()).isEqualTo(ReadingIdentity.of(reading(7)));
		assertThat(afterItsAck.number()).isZero();
		assertThat(afterItsAck.identity()).isNull();
	}

	@Test
	void backOffStopsGrowingAtTheMaximumInterval() {
		// given
		this.pending.add(reading(1), 0);
		long now = 0;
		for (int i = 0; i < 30; i++) {
			this.pending.sent(1, now);
			now += SECOND;
		}

		// then
		long lastSent = now - SECOND;
		long max = PendingReadings.MAX_RESEND_INTERVAL.toNanos();
		assertThat(this.pending.due(lastSent + max - 1)).isEmpty();
		assertThat(this.pending.due(lastSent + max)).hasSize(1);
	}

	@Test
	void readingThatCouldNotBeSentIsDueAfterTheAckTimeout() {
		// given
		this.pending.add(reading(3), 0);

		// then
		assertThat(this.pending.due(4 * SECOND)).isEmpty();
		assertThat(this.pending.due(5 * SECOND)).extracting(Reading::seq).containsExactly(3L);
	}

	@Test
	void acknowledgingRemovesTheReadingOnceAndMeasuresFromTheFirstSend() {
		// given
		this.pending.add(reading(2), 0);
		this.pending.sent(2, SECOND);
		this.pending.sent(2, 6 * SECOND);

		// when
		var first = this.pending.acknowledge(2, 7 * SECOND);
		var second = this.pending.acknowledge(2, 8 * SECOND);

		// then
		assertThat(first).hasValueSatisfying((acknowledged) -> {
			assertThat(acknowledged.reading().seq()).isEqualTo(2);
			assertThat(acknowledged.roundTrip()).isEqualTo(Duration.ofSeconds(6));
		});
		assertThat(second).isEmpty();
		assertThat(this.pending.size()).isZero();
	}

	@Test
	void whileNoAckComesOnlyTheOldestOverdueReadingIsReSentAsAProbe() {
		// given: three readings sent, no ACK for longer than the timeout (the relay is away)
		for (long seq = 1; seq <= 3; seq++) {
			this.pending.add(reading(seq), 0);
			this.pending.sent(seq, 0);
		}

		// when / then
		assertThat(this.pending.due(5 * SECOND)).extracting(Reading::seq).containsExactly(1L);
	}

	@Test
	void overdueReadingsSentBeforeAnAcknowledgedOneAreReSent() {
		// given: 1 to 3 sent, then 4, whose ACK comes while theirs do not (they were lost)
		for (long seq = 1; seq <= 4; seq++) {
			this.pending.add(reading(seq), 0);
			this.pending.sent(seq, (seq == 4) ? SECOND : 0);
		}

		// when
		this.pending.acknowledge(4, 2 * SECOND);

		// then
		assertThat(this.pending.due(5 * SECOND)).extracting(Reading::seq).containsExactly(1L, 2L, 3L);
	}

	@Test
	void overdueReadingsNotOvertakenWaitWhileAcksOfEarlierOnesStillCome() {
		// given: a backlog drains in order (the relay is catching up): 1's ACK comes late, 2 and 3 are behind it
		for (long seq = 1; seq <= 3; seq++) {
			this.pending.add(reading(seq), 0);
			this.pending.sent(seq, seq * SECOND);
		}
		this.pending.acknowledge(1, 7 * SECOND);

		// then: not re-sent while ACKs come; probed once none has come for the timeout
		assertThat(this.pending.due(8 * SECOND)).isEmpty();
		assertThat(this.pending.due(12 * SECOND)).extracting(Reading::seq).containsExactly(2L);
	}

	@Test
	void anAckOfAReSentReadingIsNoEvidenceThatTheOnesSentSinceItsFirstSendWereLost() {
		// given: 1 probed again at 5 s; its first copy, queued before 2, is answered
		this.pending.add(reading(1), 0);
		this.pending.sent(1, 0);
		this.pending.add(reading(2), 0);
		this.pending.sent(2, SECOND);
		this.pending.sent(1, 5 * SECOND);

		// when
		this.pending.acknowledge(1, 5500 * MILLISECOND);

		// then: 2 is overdue, but it may well be next in the backlog
		assertThat(this.pending.due(6500 * MILLISECOND)).isEmpty();
	}

	@Test
	void readingsNeverSentAreDueEvenWhileNoAckComes() {
		// given: the broker was away when they were taken
		for (long seq = 1; seq <= 3; seq++) {
			this.pending.add(reading(seq), 0);
		}

		// then
		assertThat(this.pending.due(5 * SECOND)).extracting(Reading::seq).containsExactly(1L, 2L, 3L);
	}

	@Test
	void countsFirstSendsAndReSends() {
		// given
		this.pending.add(reading(1), 0);
		this.pending.add(reading(2), 0);

		// when
		this.pending.sent(1, 0);
		this.pending.sent(2, 0);
		this.pending.sent(2, 5 * SECOND);
		this.pending.acknowledge(2, 6 * SECOND);
		// a re-send of a reading whose ACK came in the meantime
		this.pending.sent(2, 6 * SECOND);

		// then
		assertThat(this.pending.published()).isEqualTo(2);
		assertThat(this.pending.resent()).isEqualTo(2);
		assertThat(this.pending.acknowledged()).isOne();
		assertThat(this.pending.size()).isOne();
		assertThat(this.pending.givenUp()).isZero();
	}

	@Test
	void aSendTheClientRefusedIsTakenBackAndTheReadingStaysDueAsBefore() {
		// given: sent once at 0, its ACK overdue at 5 s
		this.pending.add(reading(4), 0);
		this.pending.sent(4, 0);
		PendingReadings.Send refused = this.pending.sent(4, 5 * SECOND);

		// when
		this.pending.notSent(refused);

		// then: one first send, no re-send, and the re-send still due
		assertThat(this.pending.published()).isOne();
		assertThat(this.pending.resent()).isZero();
		assertThat(this.pending.due(5 * SECOND)).extracting(Reading::seq).containsExactly(4L);
	}

	@Test
	void aFirstSendTheClientRefusedLeavesTheReadingUnsent() {
		// given
		this.pending.add(reading(5), 0);
		PendingReadings.Send refused = this.pending.sent(5, SECOND);

		// when
		this.pending.notSent(refused);

		// then
		assertThat(this.pending.published()).isZero();
		assertThat(this.pending.due(5 * SECOND)).extracting(Reading::seq).containsExactly(5L);
		this.pending.sent(5, 6 * SECOND);
		assertThat(this.pending.published()).isOne();
		assertThat(this.pending.acknowledge(5, 7 * SECOND)).get()
			.extracting((acknowledged) -> acknowledged.roundTrip().toSeconds())
			.isEqualTo(1L);
	}

	@Test
	void fullOutboxUnderDropOldestGivesUpTheOldestReadingAndCountsIt() {
		// given
		PendingReadings outbox = new PendingReadings(Duration.ofSeconds(5), 3, OutboxFull.DROP_OLDEST);
		for (long seq = 10; seq <= 12; seq++) {
			assertThat(outbox.add(reading(seq), 0)).isEmpty();
		}

		// when
		var givenUp = outbox.add(reading(13), 0);

		// then
		assertThat(givenUp).map(Reading::seq).hasValue(10L);
		assertThat(outbox.size()).isEqualTo(3);
		assertThat(outbox.givenUp()).isOne();
		assertThat(outbox.acknowledge(10, SECOND)).isEmpty();
		assertThat(outbox.acknowledge(13, SECOND)).isPresent();
	}

	@Test
	void fullOutboxUnderDropOldestAlwaysHasRoom() throws Exception {
		// given
		PendingReadings outbox = new PendingReadings(Duration.ofSeconds(5), 1, OutboxFull.DROP_OLDEST);
		outbox.add(reading(1), 0);

		// then
		assertThat(outbox.awaitRoom(Duration.ZERO)).isTrue();
	}

	@Test
	void fullOutboxUnderBlockRefusesAnotherReadingUntilAnAckMakesRoom() throws Exception {
		// given
		PendingReadings outbox = new PendingReadings(Duration.ofSeconds(5), 2, OutboxFull.BLOCK);
		outbox.add(reading(1), 0);
		outbox.add(reading(2), 0);

		// when
		CompletableFuture<Boolean> room = CompletableFuture.supplyAsync(() -> awaitRoom(outbox));

		// then
		assertThat(outbox.isFull()).isTrue();
		assertThat(outbox.awaitRoom(Duration.ZERO)).isFalse();
		assertThatIllegalStateException().isThrownBy(() -> outbox.add(reading(3), 0));
		outbox.acknowledge(1, SECOND);
		assertThat(room.get(30, TimeUnit.SECONDS)).isTrue();
		assertThat(outbox.add(reading(3), 0)).isEmpty();
		assertThat(outbox.givenUp()).isZero();
	}

	private static boolean awaitRoom(PendingReadings outbox) {
		try {
			return outbox.awaitRoom(Duration.ofSeconds(30));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	private static Reading reading(long seq) {
		return new Reading("device-1", seq, Instant.parse("2026-01-31T12:00:00Z"), 1000, 100, -50, 300,
				"synthetic");
	}

}
