package io.decibel.relay;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * @param shareGroup the shared-subscription group of the relays: each reading goes to one relay of the group
 * @param batchSize the most readings one batch holds
 * @param batchWindow how long a batch's first reading may wait, from its arrival, for more to join it; 0 (the
 * default): none — a reading that finds the writer free is written at once, and what arrives during a commit forms
 * the next batch
 * @param retryBackoff the longest pause between two attempts to write a batch while the database is away
 * @param writerStallLimit how long the writer may hold one batch, with the database up, before the relay reports
 * itself not live (liveness DOWN) so that it is restarted
 * @param maxUnacknowledged the most deliveries the relay holds unacknowledged (queued or being written); a delivery
 * beyond it (a broker that sends beyond its Receive Maximum) waits for room, up to {@code maxHoldWait}
 * @param maxUnacknowledgedBytes ... and the most payload bytes it holds so
 * @param maxHoldWait how long a delivery that finds the relay holding all it may waits for room, the MQTT client's
 * reading held back meanwhile (at most half the MQTT keep-alive); beyond it the delivery and the rest of its
 * connection are turned away, unacknowledged, and the broker sends them again once the relay has stored what it
 * holds and renewed its connection. 0: turned away at once
 */
@ConfigurationProperties("decibel.relay")
public record RelayProperties(@DefaultValue("relay") String shareGroup, @DefaultValue("500") int batchSize,
		@DefaultValue("0ms") Duration batchWindow, @DefaultValue("5s") Duration retryBackoff,
		@DefaultValue("2m") Duration writerStallLimit, @DefaultValue("2000") int maxUnacknowledged,
		@DefaultValue("32MB") DataSize maxUnacknowledgedBytes, @DefaultValue("5s") Duration maxHoldWait) {
}
