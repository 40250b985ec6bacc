package io.decibel.relay.readings;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.decibel.contract.mqtt.ConnectionEpoch;
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
import org.springframework.messaging.support.GenericMessage;

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
				new RelayProperties("relay", 500, Duration.ZERO, Duration.ofMillis(100), Duration.ofMinutes(2)));
		liveness.check();
		assertThat(liveness.health().getStatus()).isEqualTo(Status.DOWN);
	}

	private ReadingBatcher batcher(int batchSize, Duration batchWindow) {
		return batcher(batchSize, batchWindow, 4 * batchSize, this.batches);
	}

	private ReadingBatcher batcher(int batchSize, Duration batchWindow, int window, MessageChannel input) {
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
				Duration.ofMinutes(2));
		this.batcher = new ReadingBatcher(relay, window, new ConnectionEpoch(), batchesInFlow, this.nanoTime::get);
		return this.batcher;
	}

	private static Message<String> delivery(String name) {
		return new GenericMessage<>(name);
	}

	private static Message<String> acknowledgeable(String name) {
		SimpleAcknowledgment acknowledgment = () -> {
		};
		return MessageBuilder.withPayload(name)
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
