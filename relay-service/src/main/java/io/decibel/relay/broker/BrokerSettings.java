package io.decibel.relay.broker;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param droppedTopic where the broker publishes how many messages it has dropped (Mosquitto's {@code $SYS} counter,
 * a number as text); empty: the relay does not ask
 */
@ConfigurationProperties("decibel.relay.broker")
record BrokerSettings(@DefaultValue("$SYS/broker/publish/messages/dropped") String droppedTopic) {
}
