package io.decibel.relay.readings;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

import io.decibel.contract.Ack;
import io.decibel.contract.AckStatus;
import io.decibel.contract.DecodedReading;
import io.decibel.contract.Reading;
import io.decibel.contract.ReadingValidator;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.relay.RelayProperties;
import io.decibel.relay.database.DatabaseClock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.stereotype.Component;

/**
 * Stores a batch of deliveries and says what goes back: each device's ACK (after the commit, or with the reason
 * its reading was rejected) and a dead-letter entry for each rejection. Only after the commit, and once its reply
 * is out, is each delivery acknowledged to the broker ({@link ReadingBatcher}): a relay that dies or stops, or a
 * database that is away, never costs a reading or its answer — the broker delivers again whatever was not
 * acknowledged. Bad input never throws, and a reading the database refuses for good is quarantined and answered like
 * bad input ({@link BatchWriter}).
 */
@Component
class ReadingIngest implements SmartLifecycle {

	private static final Logger LOG = LoggerFactory.getLogger(ReadingIngest.class);

	/** A line per answered reading, under a name of its own: a fleet's load silences it with one setting. */
	private static final Logger ACKS = LoggerFactory.getLogger("io.decibel.relay.acks");

	/**
	 * Replies (ACKs, dead letters) go out at QoS 0. The device re-sends a reading until it gets its ACK, so an ACK
	 * lost on the way costs a {@code DUPLICATE} answer, nothing more; and a relay that resumes its session keeps no
	 * QoS 1 publish in flight: Paho 1.2.5 sends those again after a reconnect with the topic alias of the old
	 * connection and no topic, the broker closes the connection (reason 148, topic alias invalid), and the relay
	 * reconnects into the same refusal for ever. Seen in {@code FaultToleranceTests} (broker restart).
	 */
	static final int REPLY_QOS = 0;

	private final TelemetryCodec codec;

	private final Topics topics;

	private final BatchWriter writer;

	private final ReplyTopics replyTopics;

	private final MeterRegistry meters;

	private final ApplicationEventPublisher events;

	private final DatabaseClock clock;

	private final Counter unansweredForTheClock;

	private volatile boolean running;

	ReadingIngest(TelemetryCodec codec, Topics topics, ReadingStore store, MeterRegistry meters,
			RelayProperties relay, ApplicationEventPublisher events, DatabaseClock clock) {
		this.codec = codec;
		this.clock = clock;
		this.unansweredForTheClock = Counter.builder("decibel.relay.readings.unanswered")
			.description("Readings neither stored nor answered, for their device to send again: they failed the"
					+ " sampledAt check while the relay's clock was not within max-clock-skew of the database's")
			.register(meters);
		this.topics = topics;
		this.writer = new BatchWriter(store, relay.retryBackoff(), this::isRunning, meters);
		this.replyTopics = new ReplyTopics(topics, meters);
		this.meters = meters;
		this.events = events;
	}

	public List<Message<byte[]>> ingest(ReadingBatch batch) {
		Instant receivedAt = this.clock.instant().truncatedTo(ChronoUnit.MICROS);
		boolean clockTrusted = this.clock.skewWithinLimit();
		List<Message<?>> deliveries = batch.deliveries();
		List<Reading> readings = new ArrayList<>();
		List<Message<?>> readingDeliveries = new ArrayList<>();
		List<Rejection> rejections = new ArrayList<>();
		// per delivery, in arrival order: its rejection, or null when its reading is in `readings`
		List<@Nullable Rejection> outcomes = new ArrayList<>(deliveries.size());
		boolean[] unanswered = new boolean[deliveries.size()];
		for (int i = 0; i < deliveries.size(); i++) {
			Message<?> delivery = deliveries.get(i);
			Rejection rejection = check(delivery, receivedAt, readings);
			if (rejection != null && !clockTrusted && failsOnlyTheTimeCheck(rejection)) {
				unanswered[i] = true;
				leaveUnanswered(rejection);
				outcomes.add(null);
				continue;
			}
			outcomes.add(rejection);
			if (rejection != null) {
				rejections.add(rejection);
			}
			else {
				readingDeliveries.add(delivery);
			}
		}
		List<Ack> acks = this.writer.write(readings, receivedAt,
				rejections.stream().map(Rejection::quarantined).toList(), (i, reason) -> refusedByDatabase(
						readingDeliveries.get(i), readings.get(i), reason, receivedAt).quarantined());
		if (acks == null) {
			LOG.info("Stopping: {} deliveries left unacknowledged for the broker to deliver again", deliveries.size());
			return List.of();
		}
		// acknowledged to the broker by the writer once the replies below are written
		batch.committed();
		List<Message<byte[]>> replies = new ArrayList<>(deliveries.size() + rejections.size());
		List<Reading> kept = new ArrayList<>(readings.size());
		List<Ack> keptAcks = new ArrayList<>(readings.size());
		Iterator<Ack> written = acks.iterator();
		Iterator<Reading> read = readings.iterator();
		for (int i = 0; i < outcomes.size(); i++) {
			if (unanswered[i]) {
				continue;
			}
			Rejection rejection = outcomes.get(i);
			if (rejection == null) {
				Ack ack = written.next();
				Reading reading = read.next();
				if (ack.status() == AckStatus.REJECTED) {
					// refused by the database, quarantined: answered like any rejection
					rejection = refusedByDatabase(deliveries.get(i), reading, ack.reason(), receivedAt);
					rejections.add(rejection);
				}
				else {
					count(ack);
					ACKS.info("{} device={} seq={}", ack.status(), ack.deviceId(), ack.seq());
					replies.add(ackMessage(ack, deliveries.get(i).getHeaders()));
					kept.add(reading);
					keptAcks.add(ack);
				}
			}
			if (rejection != null) {
				replies.addAll(replies(rejection));
			}
		}
		// each reply goes with its batch's replies, which the batch's PUBACKs wait for
		Replies batchReplies = batch.replies();
		replies.replaceAll((reply) -> MessageBuilder.fromMessage(reply).setHeader(Replies.HEADER, batchReplies).build());
		// committed and counted: the live page and the batch meters may know (their listeners never block here)
		this.events.publishEvent(
				new BatchCommitted(receivedAt, kept, keptAcks, rejections.stream().map(Rejection::reason).toList()));
		LOG.debug("Stored a batch of {}: {} readings, {} rejected", deliveries.size(), kept.size(), rejections.size());
		return replies;
	}

	/** @return why the delivery is not a reading to store, or {@code null} after adding it to {@code readings} */
	private @Nullable Rejection check(Message<?> delivery, Instant receivedAt, List<Reading> readings) {
		byte[] payload = (delivery.getPayload() instanceof byte[] bytes) ? bytes : new byte[0];
		String topic = delivery.getHeaders().get(MqttHeaders.RECEIVED_TOPIC, String.class);
		Optional<String> topicDevice = this.topics.deviceIdOf(topic);
		DecodedReading decoded = this.codec.decodeReading(payload);
		String reason = decoded.isValid() ? mismatch(topicDevice, decoded.reading()) : decoded.reason();
		if (reason == null) {
			readings.add(decoded.reading());
			return null;
		}
		String deviceId = topicDevice.filter(ReadingValidator::isValidDeviceId).orElse(decoded.deviceId());
		return new Rejection(delivery, (topic != null) ? topic : "", deviceId, decoded.seq(), reason, receivedAt,
				payload);
	}

	/**
	 * The one check whose verdict depends on a clock. It goes by the database's clock; but while the relay's own clock
	 * is far off the database's (or the database's was never read), the relay doubts its verdict and does not answer
	 * it for good ({@code REJECTED}): it leaves the reading for its device to send again.
	 */
	private static boolean failsOnlyTheTimeCheck(Rejection rejection) {
		return rejection.reason().equals(ReadingValidator.SAMPLED_AT_OUT_OF_RANGE);
	}

	/**
	 * Not stored, not answered: its device sends it again, as it does every reading not answered, and it is judged
	 * again then. Its delivery is acknowledged to the broker with the batch all the same: left unacknowledged, it is
	 * sent again only on the relay's next connection, and meanwhile embedded HiveMQ sent the relay no later delivery
	 * of the shared subscription (Mosquitto did; {@code RelayClockSkewTests}): one such reading would stall the relay.
	 */
	private void leaveUnanswered(Rejection rejection) {
		this.unansweredForTheClock.increment();
		LOG.warn("Left a reading on {} unanswered, for its device to send again: {}, while the relay's clock is not "
				+ "within decibel.relay.database.max-clock-skew of the database's ({})", rejection.topic(),
				rejection.reason(), this.clock.skewDescription());
	}

	private @Nullable String mismatch(Optional<String> topicDevice, Reading reading) {
		if (topicDevice.isPresent() && !topicDevice.get().equals(reading.deviceId())) {
			return "topic names device '" + topicDevice.get() + "' but the payload names '" + reading.deviceId()
					+ "'";
		}
		return null;
	}

	private Rejection refusedByDatabase(Message<?> delivery, Reading reading, @Nullable String reason,
			Instant receivedAt) {
		String topic = delivery.getHeaders().get(MqttHeaders.RECEIVED_TOPIC, String.class);
		byte[] payload = (delivery.getPayload() instanceof byte[] bytes) ? bytes : new byte[0];
		return new Rejection(delivery, (topic != null) ? topic : "", reading.deviceId(), reading.seq(),
				(reason != null) ? reason : BatchWriter.DATABASE_REFUSED, receivedAt, payload);
	}

	/** A rejected delivery goes to the dead-letter topic, and back to its device where one can be told. */
	private List<Message<byte[]>> replies(Rejection rejection) {
		this.meters.counter("decibel.relay.readings", "status", "rejected").increment();
		LOG.warn("REJECTED reading on {}: {}", rejection.topic(), rejection.reason());
		List<Message<byte[]>> replies = new ArrayList<>(2);
		replies.add(MessageBuilder.withPayload(this.codec.encodeValue(rejection.deadLetter()))
			.setHeader(MqttHeaders.TOPIC, this.topics.deadLetter())
			.setHeader(MqttHeaders.QOS, REPLY_QOS)
			.build());
		// without a device there is no namespace a Response Topic could lie in: the dead letter is the only answer
		if (rejection.deviceId() != null) {
			replies.add(ackMessage(Ack.rejected(rejection.deviceId(), rejection.seq(), rejection.reason()),
					rejection.delivery().getHeaders()));
		}
		return replies;
	}

	private void count(Ack ack) {
		this.meters.counter("decibel.relay.readings", "status", ack.status().name().toLowerCase()).increment();
	}

	// MQTT 5 request/response: answer on the Response Topic (in the device's namespace) with the Correlation Data
	private Message<byte[]> ackMessage(Ack ack, MessageHeaders request) {
		String topic = this.replyTopics.replyTopic(ack.deviceId(),
				request.get(MqttHeaders.RESPONSE_TOPIC, String.class));
		MessageBuilder<byte[]> reply = MessageBuilder.withPayload(this.codec.encode(ack))
			.setHeader(MqttHeaders.TOPIC, topic)
			.setHeader(MqttHeaders.QOS, REPLY_QOS);
		Object correlation = request.get(MqttHeaders.CORRELATION_DATA);
		if (correlation != null) {
			reply.setHeader(MqttHeaders.CORRELATION_DATA, correlation);
		}
		return reply.build();
	}

	@Override
	public void start() {
		this.running = true;
	}

	/** Ends a wait for the database: the batch in hand is abandoned, unacknowledged. */
	@Override
	public void stop() {
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

}
