package io.decibel.relay.readings;

import java.time.Duration;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The pauses between attempts; the sequence only, so that no assertion waits on the machine's speed. */
class BackoffTests {

	@Test
	void doublesFromATenthOfASecondAndNeverPassesItsCap() {
		Backoff backoff = new Backoff(Duration.ofSeconds(5), () -> true);

		assertThat(Stream.generate(backoff::next).limit(9).map(Duration::toMillis))
			.containsExactly(100L, 200L, 400L, 800L, 1600L, 3200L, 5000L, 5000L, 5000L);
	}

	@Test
	void aCapBelowTheFirstPauseIsThePauseFromTheStart() {
		Backoff backoff = new Backoff(Duration.ofMillis(30), () -> true);

		assertThat(Stream.generate(backoff::next).limit(3).map(Duration::toMillis)).containsExactly(30L, 30L, 30L);
	}

	@Test
	void aPauseOfWorkToldToStopEndsAtOnceAndSaysSo() {
		Backoff backoff = new Backoff(Duration.ofHours(1), () -> false);
		backoff.next();

		assertThat(backoff.pause()).isFalse();
	}

}
