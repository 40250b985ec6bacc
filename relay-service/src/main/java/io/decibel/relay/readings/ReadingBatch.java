package io.decibel.relay.readings;

import java.util.List;

import org.springframework.messaging.Message;

/** MQTT deliveries that arrived together, to be stored in one transaction and acknowledged after it. */
record ReadingBatch(List<Message<?>> deliveries) {
}
