package io.decibel.relay.broker;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param droppedTopic where the broker publishes how many messages it has dropped (Mosquitto's {@code $SYS} counter,
 * a number as text); empty: the relay does not ask
 * @param unreachableLimit how long the relay may be without a connection to its broker, reconnecting with back-off,
 * before it reports itself not live (liveness DOWN) so that it is restarted
 */
@ConfigurationProperties("decibel.relay.broker")
record BrokerSettings(@DefaultValue("$SYS/broker/publish/messages/dropped") String droppedTopic,
		@DefaultValue("5m") Duration unreachableLimit) {
}
