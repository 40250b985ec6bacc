package io.decibel.publisher.publishing;

import java.time.Duration;
import java.time.Instant;

import io.decibel.contract.Reading;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Times are given, not measured: the clock here is a number the test chooses. */
class PendingReadingsTests {

	private static final long SECOND = Duration.ofSeconds(1).toNanos();

	private final PendingReadings pending = new PendingReadings(Duration.ofSeconds(5));

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

	private static Reading reading(long seq) {
		return new Reading("device-1", seq, Instant.parse("2026-01-31T12:00:00Z"), 1000, 100, -50, 300,
				"synthetic");
	}

}
