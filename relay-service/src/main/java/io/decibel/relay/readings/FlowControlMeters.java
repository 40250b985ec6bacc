package io.decibel.relay.readings;

import io.decibel.mqtt.ConnectionEpoch;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

/**
 * How the flow from the broker is held back, and what it costs:
 * <ul>
 * <li>{@code decibel.relay.deliveries.unacknowledged}: deliveries taken from the broker and not yet acknowledged (at
 * most the Receive Maximum), and {@code ….unacknowledged.peak}, the most there ever were</li>
 * <li>{@code decibel.relay.deliveries.unacknowledged.bytes}: their payload bytes</li>
 * <li>{@code decibel.relay.deliveries.qos0.held}: QoS 0 deliveries taken and not yet stored, held to the same limits
 * ({@code decibel.relay.max-unacknowledged}, {@code max-unacknowledged-bytes}) as the unacknowledged ones</li>
 * <li>{@code decibel.relay.deliveries.qos0.dropped}: QoS 0 deliveries dropped while the relay held all it may (the
 * broker keeps none to send again; the device, without its ACK, does)</li>
 * <li>{@code decibel.relay.deliveries.beyond.window}: deliveries taken while the relay held its Receive Maximum
 * already (a broker that does not keep to it)</li>
 * <li>{@code decibel.relay.deliveries.waited}: deliveries that found the relay holding all it may and waited for room
 * (up to {@code decibel.relay.max-hold-wait}), the MQTT client reading nothing meanwhile</li>
 * <li>{@code decibel.relay.deliveries.turned.away}: deliveries neither held nor acknowledged, the relay holding all it
 * may ({@code decibel.relay.max-unacknowledged}, {@code max-unacknowledged-bytes}) for longer than
 * {@code decibel.relay.max-hold-wait}; the broker sends them again</li>
 * <li>{@code decibel.relay.mqtt.renewals}: connections renewed for the broker to send again what was turned away</li>
 * <li>{@code decibel.relay.deliveries.stale}: deliveries of an earlier connection (queued, or waiting for room),
 * dropped (sent again)</li>
 * <li>{@code decibel.relay.acks.dropped}: PUBACKs not sent because their delivery's connection was gone</li>
 * <li>{@code decibel.relay.batches.failed}: attempts to handle a batch that failed unexpectedly (tried again)</li>
 * <li>{@code decibel.relay.replies.unsent}: ACKs and dead letters not written because the connection of their batch
 * was gone (its deliveries are not acknowledged, and come again)</li>
 * <li>{@code decibel.relay.mqtt.connections}: connections the relay's MQTT client made</li>
 * </ul>
 */
@Component
class FlowControlMeters {

	FlowControlMeters(MeterRegistry registry, ReadingBatcher batcher, ConnectionEpoch connection) {
		Gauge.builder("decibel.relay.deliveries.unacknowledged", batcher, ReadingBatcher::unacknowledged)
			.description("Deliveries taken from the broker and not yet acknowledged")
			.register(registry);
		Gauge.builder("decibel.relay.deliveries.unacknowledged.peak", batcher, ReadingBatcher::peakUnacknowledged)
			.description("The most deliveries there ever were taken from the broker and not yet acknowledged")
			.register(registry);
		Gauge.builder("decibel.relay.deliveries.unacknowledged.bytes", batcher, ReadingBatcher::unacknowledgedBytes)
			.description("Payload bytes of the deliveries taken from the broker and not yet acknowledged")
			.baseUnit("bytes")
			.register(registry);
		Gauge.builder("decibel.relay.deliveries.qos0.held", batcher, ReadingBatcher::atMostOnceHeld)
			.description("QoS 0 deliveries taken from the broker and not yet stored; held to the same limits")
			.register(registry);
		FunctionCounter.builder("decibel.relay.deliveries.qos0.dropped", batcher, ReadingBatcher::atMostOnceDropped)
			.description("QoS 0 deliveries dropped while the relay held all it may; their devices send them again")
			.register(registry);
		FunctionCounter.builder("decibel.relay.deliveries.beyond.window", batcher, ReadingBatcher::beyondWindow)
			.description("Deliveries taken while the relay held its Receive Maximum already")
			.register(registry);
		FunctionCounter.builder("decibel.relay.deliveries.waited", batcher, ReadingBatcher::waited)
			.description("Deliveries that found the relay holding all it may and waited for room")
			.register(registry);
		FunctionCounter.builder("decibel.relay.deliveries.turned.away", batcher, ReadingBatcher::turnedAway)
			.description("Deliveries neither held nor acknowledged, the relay holding all it may for longer than the hold "
					+ "wait; sent again")
			.register(registry);
		FunctionCounter.builder("decibel.relay.mqtt.renewals", batcher, ReadingBatcher::renewals)
			.description("MQTT connections renewed for the broker to send again the deliveries turned away")
			.register(registry);
		FunctionCounter.builder("decibel.relay.deliveries.stale", batcher, ReadingBatcher::stale)
			.description("Deliveries of an earlier MQTT connection (queued, or waiting for room), dropped; the broker "
					+ "sends them again")
			.register(registry);
		FunctionCounter.builder("decibel.relay.acks.dropped", connection, ConnectionEpoch::droppedAcknowledgments)
			.description("PUBACKs not sent because their delivery's connection was gone")
			.register(registry);
		FunctionCounter.builder("decibel.relay.batches.failed", batcher, ReadingBatcher::failedAttempts)
			.description("Attempts to handle a batch that failed unexpectedly; the batch is tried again")
			.register(registry);
		FunctionCounter.builder("decibel.relay.replies.unsent", batcher, ReadingBatcher::undeliveredReplies)
			.description("ACKs and dead letters not written because their batch's connection was gone; its "
					+ "deliveries come again")
			.register(registry);
		FunctionCounter.builder("decibel.relay.mqtt.connections", connection, ConnectionEpoch::connections)
			.description("Connections the relay's MQTT client made")
			.register(registry);
	}

}
