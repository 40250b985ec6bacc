package io.decibel.relay.broker;

import java.time.Duration;

import io.decibel.mqtt.ConnectionEpoch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The relay's link to its broker, for liveness ({@code brokerLink}): DOWN once the relay has had no connection for
 * longer than {@code decibel.relay.broker.unreachable-limit}. The relay reconnects by itself, with back-off, for as long
 * as it takes; readiness says at once that it is disconnected. Past the limit a restart is the next thing to try — a
 * fresh process, fresh DNS, fresh TLS — and an orchestrator does it when liveness says so.
 */
@Component
class BrokerLinkHealthIndicator implements HealthIndicator {

	private static final Logger LOG = LoggerFactory.getLogger(BrokerLinkHealthIndicator.class);

	private final ConnectionEpoch connection;

	private final Duration limit;

	private volatile boolean down;

	BrokerLinkHealthIndicator(ConnectionEpoch connection, BrokerSettings settings) {
		this.connection = connection;
		this.limit = settings.unreachableLimit();
	}

	@Override
	public Health health() {
		Duration down = this.connection.downFor();
		boolean tooLong = down.compareTo(this.limit) > 0;
		if (tooLong != this.down) {
			this.down = tooLong;
			if (tooLong) {
				LOG.error("No connection to the MQTT broker for {} s, longer than decibel.relay.broker.unreachable-limit "
						+ "({}): liveness DOWN so that the relay is restarted", down.toSeconds(), this.limit);
			}
			else {
				LOG.info("Connected to the MQTT broker again, liveness UP");
			}
		}
		Health.Builder health = tooLong ? Health.down() : Health.up();
		return health.withDetail("disconnectedFor", down.toString()).build();
	}

}
