package io.decibel.relay.readings;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.decibel.mqtt.ConnectionEpoch;
import io.decibel.relay.RelayProperties;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Status;
import org.springframework.integration.IntegrationMessageHeaderAccessor;
import org.springframework.integration.acks.SimpleAcknowledgment;
import org.springframework.integration.channel.QueueChannel;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.dsl.IntegrationFlowDefinition;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessageDeliveryException;
import org.springframework.messaging.support.GenericMessage;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** How deliveries become batches; time is a clock the test moves, so no assertion waits on the machine's speed. */
class ReadingBatcherTests {

	private static final Duration AN_HOUR = Duration.ofHours(1);

	private final QueueChannel batches = new QueueChannel();

	private final AtomicLong nanoTime = new AtomicLong();

	private @Nullable ReadingBatcher batcher;

	@AfterEach
	void stopWriter() {
		if (this.batcher != null) {
			this.batcher.stop();
		}
	}

	@Test
	void deliveriesThatWaitedOutTheirWindowBeforeTheWriterTookThemGoOutWithoutWaitingAgain() {
		ReadingBatcher batcher = batcher(500, AN_HOUR);
		batcher.add(delivery("a"));
		batcher.add(delivery("b"));
		// the writer was busy (here: not started) for the whole window
		this.nanoTime.addAndGet(AN_HOUR.toNanos());

		batcher.start();

		assertThat(nextBatch()).containsExactly("a", "b");
	}

	@Test
	void aFullBatchGoesOutAtOnceAndTheRestWaitsForItsWindow() {
		ReadingBatcher batcher = batcher(2, AN_HOUR);
		batcher.start();

		batcher.add(delivery("a"));
		batcher.add(delivery("b"));
		batcher.add(delivery("c"));

		assertThat(nextBatch()).containsExactly("a", "b");
		assertThat(this.batches.receive(200)).isNull();
	}

	@Test
	void takesADeliveryBeyondItsWindowWithoutWaitingAndCountsIt() {
		// given a window of two, the writer busy (here: not started)
		ReadingBatcher batcher = batcher(500, AN_HOUR, 2, this.batches);
		batcher.add(acknowledgeable("a"));
		batcher.add(acknowledgeable("b"));

		// when
		batcher.add(acknowledgeable("c"));

		// then
		assertThat(batcher.held()).isEqualTo(3);
		assertThat(batcher.unacknowledged()).isEqualTo(3);
		assertThat(batcher.beyondWindow()).isEqualTo(1);
	}

	@Test
	void turnsAwayADeliveryBeyondItsLimitAndEveryLaterOneOfThatConnection() {
		// given a limit of two, both held, the writer busy (here: not started)
		ReadingBatcher batcher = batcher(500, AN_HOUR, 2, this.batches, 2, DataSize.ofMegabytes(1));
		batcher.add(acknowledgeable("a"));
		batcher.add(acknowledgeable("b"));

		// when
		batcher.add(acknowledgeable("c"));
		batcher.add(acknowledgeable("d"));

		// then: neither held nor counted as waiting for an acknowledgment
		assertThat(batcher.held()).isEqualTo(2);
		assertThat(batcher.unacknowledged()).isEqualTo(2);
		assertThat(batcher.turnedAway()).isEqualTo(2);
	}

	@Test
	void givesUpADeliveryWaitingForRoomOnceItsConnectionIsGoneWithoutTurningItAway() {
		// given a limit of two, both held, the writer busy (here: not started), a long wait for room, and the
		// deliveries' connection gone (here: never made)
		ReadingBatcher batcher = batcher(500, AN_HOUR, 2, this.batches, 2, DataSize.ofMegabytes(1), AN_HOUR);
		batcher.add(acknowledgeable("a"));
		batcher.add(acknowledgeable("b"));

		// when
		batcher.add(acknowledgeable("c"));

		// then: neither held nor turned away (no renewal): the broker sends it again on the next connection
		assertThat(batcher.held()).isEqualTo(2);
		assertThat(batcher.turnedAway()).isZero();
		assertThat(batcher.stale()).isEqualTo(1);
	}

	@Test
	void turnsAwayADeliveryBeyondItsLimitOfBytes() {
		// given
		ReadingBatcher batcher = batcher(500, AN_HOUR, 10, this.batches, 10, DataSize.ofBytes(10));
		batcher.add(acknowledgeable(new byte[6]));

		// when
		batcher.add(acknowledgeable(new byte[6]));

		// then
		assertThat(batcher.held()).isEqualTo(1);
		assertThat(batcher.unacknowledgedBytes()).isEqualTo(6);
		assertThat(batcher.turnedAway()).isEqualTo(1);
	}

	@Test
	void takesADeliveryLargerThanItsLimitOfBytesWhenItHoldsNothing() {
		// given
		ReadingBatcher batcher = batcher(500, AN_HOUR, 10, this.batches, 10, DataSize.ofBytes(10));

		// when
		batcher.add(acknowledgeable(new byte[16]));

		// then: turned away, it would come again and again, and never find more room
		assertThat(batcher.held()).isEqualTo(1);
		assertThat(batcher.turnedAway()).isZero();
	}

	@Test
	void givesBackTheRoomOfWhatItAcknowledged() {
		// given
		ReadingBatcher batcher = batcher(500, Duration.ZERO, 10, this.batches, 10, DataSize.ofBytes(100));
		batcher.start();

		// when
		batcher.add(acknowledgeable(new byte[60]));
		Message<?> batch = this.batches.receive(10_000);
		assertThat(batch).isNotNull();
		((ReadingBatch) batch.getPayload()).acknowledge();
		batcher.add(acknowledgeable(new byte[60]));

		// then
		assertThat(batcher.turnedAway()).isZero();
		assertThat(batcher.unacknowledgedBytes()).isEqualTo(60);
	}

	@Test
	void triesABatchThatFailedAgainUntilItGoesThrough() {
		// given a flow that fails the first two times
		AtomicInteger attempts = new AtomicInteger();
		MessageChannel failingTwice = (message, timeout) -> {
			if (attempts.incrementAndGet() <= 2) {
				throw new IllegalStateException("something unexpected");
			}
			return this.batches.send(message, timeout);
		};
		ReadingBatcher batcher = batcher(500, Duration.ZERO, 10, failingTwice);
		batcher.start();

		// when
		batcher.add(delivery("a"));

		// then
		assertThat(nextBatch()).containsExactly("a");
		assertThat(batcher.failedAttempts()).isEqualTo(2);
		assertThat(batcher.death()).isNull();
	}

	@Test
	void acknowledgesACommittedBatchOnlyOnceItsRepliesAreOut() {
		// given: a flow that commits each batch, and cannot hand its replies on the first time (as when the replies'
		// endpoint stops before the writer)
		AtomicInteger attempts = new AtomicInteger();
		AtomicInteger unacknowledgedWhenRepliesWentOut = new AtomicInteger(-1);
		AtomicReference<ReadingBatcher> writer = new AtomicReference<>();
		MessageChannel repliesOutOnTheSecondAttempt = (message, timeout) -> {
			((ReadingBatch) message.getPayload()).committed();
			if (attempts.incrementAndGet() == 1) {
				throw new MessageDeliveryException(message, "Dispatcher has no subscribers");
			}
			unacknowledgedWhenRepliesWentOut.set(writer.get().unacknowledged());
			return true;
		};
		ReadingBatcher batcher = batcher(500, Duration.ZERO, 10, repliesOutOnTheSecondAttempt);
		writer.set(batcher);
		batcher.start();

		// when
		batcher.add(acknowledgeable("a"));

		// then: still unacknowledged after the failed attempt, acknowledged after the one whose replies went out
		await().atMost(Duration.ofSeconds(10)).until(() -> batcher.unacknowledged() == 0);
		assertThat(attempts.get()).isEqualTo(2);
		assertThat(unacknowledgedWhenRepliesWentOut.get()).isEqualTo(1);
	}

	@Test
	void leavesABatchThatWasNotCommittedUnacknowledged() {
		// given: a flow that returns without committing, as the store does when the relay stops
		MessageChannel notCommitted = (message, timeout) -> this.batches.send(message, timeout);
		ReadingBatcher batcher = batcher(500, Duration.ZERO, 10, notCommitted);
		batcher.start();

		// when
		batcher.add(acknowledgeable("a"));

		// then: the broker keeps it, to deliver again
		assertThat(nextBatch()).containsExactly("a");
		assertThat(batcher.unacknowledged()).isEqualTo(1);
	}

	@Test
	void aWriterKilledByAnErrorSaysWhyAndIsNotLive() {
		// given a flow that throws what no writer survives: an error, not an exception
		MessageChannel deadly = (message, timeout) -> {
			throw new WriterKilled();
		};
		ReadingBatcher batcher = batcher(500, Duration.ZERO, 10, deadly);
		batcher.start();

		// when
		batcher.add(delivery("a"));

		// then
		await().atMost(Duration.ofSeconds(10)).until(() -> batcher.death() != null);
		ReadingsWriterHealthIndicator liveness = new ReadingsWriterHealthIndicator(batcher, null,
				new RelayProperties("relay", 500, Duration.ZERO, Duration.ofMillis(100), Duration.ofMinutes(2), 10,
						DataSize.ofMegabytes(1), Duration.ZERO));
		liveness.check();
		assertThat(liveness.health().getStatus()).isEqualTo(Status.DOWN);
	}

	private ReadingBatcher batcher(int batchSize, Duration batchWindow) {
		return batcher(batchSize, batchWindow, 4 * batchSize, this.batches);
	}

	private ReadingBatcher batcher(int batchSize, Duration batchWindow, int window, MessageChannel input) {
		return batcher(batchSize, batchWindow, window, input, 4 * window, DataSize.ofMegabytes(1));
	}

	private ReadingBatcher batcher(int batchSize, Duration batchWindow, int window, MessageChannel input,
			int maxUnacknowledged, DataSize maxUnacknowledgedBytes) {
		// no wait for room: what these tests prove about turning away is what the relay does once the wait is over
		return batcher(batchSize, batchWindow, window, input, maxUnacknowledged, maxUnacknowledgedBytes, Duration.ZERO);
	}

	private ReadingBatcher batcher(int batchSize, Duration batchWindow, int window, MessageChannel input,
			int maxUnacknowledged, DataSize maxUnacknowledgedBytes, Duration maxHoldWait) {
		IntegrationFlow batchesInFlow = new IntegrationFlow() {

			@Override
			public void configure(IntegrationFlowDefinition<?> flow) {
			}

			@Override
			public MessageChannel getInputChannel() {
				return input;
			}

		};
		RelayProperties relay = new RelayProperties("relay", batchSize, batchWindow, Duration.ofMillis(100),
				Duration.ofMinutes(2), maxUnacknowledged, maxUnacknowledgedBytes, maxHoldWait);
		this.batcher = new ReadingBatcher(relay, window, Duration.ZERO, new ConnectionEpoch(), batchesInFlow,
				this.nanoTime::get);
		return this.batcher;
	}

	private static Message<String> delivery(String name) {
		return new GenericMessage<>(name);
	}

	private static <T> Message<T> acknowledgeable(T payload) {
		SimpleAcknowledgment acknowledgment = () -> {
		};
		return MessageBuilder.withPayload(payload)
			.setHeader(IntegrationMessageHeaderAccessor.ACKNOWLEDGMENT_CALLBACK, acknowledgment)
			.build();
	}

	static class WriterKilled extends Error {

		WriterKilled() {
			super("killed by the test");
		}

	}

	private List<Object> nextBatch() {
		Message<?> batch = this.batches.receive(10_000);
		assertThat(batch).as("a batch within 10 s").isNotNull();
		return ((ReadingBatch) batch.getPayload()).deliveries().stream().<Object>map(Message::getPayload).toList();
	}

}
