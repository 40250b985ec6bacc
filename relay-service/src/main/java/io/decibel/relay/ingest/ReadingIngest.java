package io.decibel.relay.ingest;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.decibel.contract.Ack;
import io.decibel.contract.DecodedReading;
import io.decibel.contract.Reading;
import io.decibel.contract.ReadingValidator;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.relay.storage.ReadingStore;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.stereotype.Component;

/**
 * Turns one incoming MQTT message into what the relay sends back: the device's ACK (after the reading is stored,
 * or with the reason it was rejected) and, for rejected input, a dead-letter entry. Bad input never throws.
 */
@Component
class ReadingIngest {

	private static final Logger LOG = LoggerFactory.getLogger(ReadingIngest.class);

	private final TelemetryCodec codec;

	private final Topics topics;

	private final ReadingStore store;

	private final MeterRegistry meters;

	private final Clock clock = Clock.systemUTC();

	ReadingIngest(TelemetryCodec codec, Topics topics, ReadingStore store, MeterRegistry meters) {
		this.codec = codec;
		this.topics = topics;
		this.store = store;
		this.meters = meters;
	}

	public List<Message<byte[]>> ingest(Message<byte[]> message) {
		Instant receivedAt = this.clock.instant().truncatedTo(ChronoUnit.MICROS);
		String topic = message.getHeaders().get(MqttHeaders.RECEIVED_TOPIC, String.class);
		Optional<String> topicDevice = this.topics.deviceIdOf(topic);
		DecodedReading decoded = this.codec.decodeReading(message.getPayload());
		String reason = decoded.isValid() ? mismatch(topicDevice, decoded.reading()) : decoded.reason();
		if (reason != null) {
			String deviceId = topicDevice.filter(ReadingValidator::isValidDeviceId).orElse(decoded.deviceId());
			return reject(message, topic, deviceId, decoded.seq(), reason, receivedAt);
		}
		Ack ack = this.store.store(decoded.reading(), receivedAt);
		count(ack);
		LOG.info("{} device={} seq={}", ack.status(), ack.deviceId(), ack.seq());
		return List.of(ackMessage(ack, message.getHeaders()));
	}

	private @Nullable String mismatch(Optional<String> topicDevice, Reading reading) {
		if (topicDevice.isPresent() && !topicDevice.get().equals(reading.deviceId())) {
			return "topic names device '" + topicDevice.get() + "' but the payload names '" + reading.deviceId()
					+ "'";
		}
		return null;
	}

	private List<Message<byte[]>> reject(Message<byte[]> message, String topic, @Nullable String deviceId,
			@Nullable Long seq, String reason, Instant receivedAt) {
		this.meters.counter("decibel.relay.readings", "status", "rejected").increment();
		LOG.warn("REJECTED reading on {}: {}", topic, reason);
		List<Message<byte[]>> replies = new ArrayList<>(2);
		replies.add(MessageBuilder
			.withPayload(this.codec.encodeValue(DeadLetter.of(topic, reason, receivedAt, message.getPayload())))
			.setHeader(MqttHeaders.TOPIC, this.topics.deadLetter())
			.setHeader(MqttHeaders.QOS, 1)
			.build());
		boolean answerable = deviceId != null
				|| message.getHeaders().get(MqttHeaders.RESPONSE_TOPIC) != null;
		if (answerable) {
			Ack rejected = Ack.rejected(deviceId != null ? deviceId : "unknown", seq, reason);
			replies.add(ackMessage(rejected, message.getHeaders()));
		}
		return replies;
	}

	private void count(Ack ack) {
		this.meters.counter("decibel.relay.readings", "status", ack.status().name().toLowerCase()).increment();
	}

	// MQTT 5 request/response: answer on the Response Topic with the Correlation Data, or on the device's ACK topic
	private Message<byte[]> ackMessage(Ack ack, MessageHeaders request) {
		String responseTopic = request.get(MqttHeaders.RESPONSE_TOPIC, String.class);
		MessageBuilder<byte[]> reply = MessageBuilder.withPayload(this.codec.encode(ack))
			.setHeader(MqttHeaders.TOPIC, responseTopic != null ? responseTopic : this.topics.acks(ack.deviceId()))
			.setHeader(MqttHeaders.QOS, 1);
		Object correlation = request.get(MqttHeaders.CORRELATION_DATA);
		if (correlation != null) {
			reply.setHeader(MqttHeaders.CORRELATION_DATA, correlation);
		}
		return reply.build();
	}

}
