package io.decibel.relay.sessions;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the relays of a share group look after each other's MQTT sessions (docs/architecture.md, shared subscriptions
 * and persistent sessions).
 *
 * @param enabled whether this relay registers its session and adopts those of relays that are gone
 * @param heartbeat how often this relay beats its row in {@code relay_sessions} and looks for relays that are gone
 * @param deadAfter a relay whose row has not beaten for this long is gone (killed); one that stopped in order says so
 * at once
 * @param handOver what an adopting relay does with a gone relay's session: {@code drain} (unsubscribe, store and
 * acknowledge what the broker held for it, then end it: Mosquitto, which discards what an ended session held, and
 * EMQX) or {@code end} (end it at once: the broker hands what it held to the live members; HiveMQ and EMQX)
 * @param drainQuiet a drained session is done once nothing has come for this long and everything is acknowledged
 * @param drainLimit the longest a drain may take; then the session is left for another attempt
 */
@ConfigurationProperties("decibel.relay.sessions")
public record SessionSettings(@DefaultValue("true") boolean enabled, @DefaultValue("2s") Duration heartbeat,
		@DefaultValue("10s") Duration deadAfter, @DefaultValue("drain") HandOver handOver,
		@DefaultValue("1s") Duration drainQuiet, @DefaultValue("60s") Duration drainLimit) {

	/** What an adopting relay does with a gone relay's session. */
	public enum HandOver {

		/** Unsubscribe, store and acknowledge what comes, then end the session. */
		DRAIN,

		/** End the session at once and let the broker give its messages to the other members. */
		END

	}

}
