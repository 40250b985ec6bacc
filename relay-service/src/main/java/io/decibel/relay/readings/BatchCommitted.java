package io.decibel.relay.readings;

import java.time.Instant;
import java.util.List;

import io.decibel.contract.Ack;
import io.decibel.contract.Reading;

/**
 * A batch of deliveries, committed: published as an application event on the writer's thread right after the
 * commit, before the ACKs go out. Listeners must be quick and must not throw: hand the work to a thread of your own.
 *
 * @param receivedAt when the relay received the batch
 * @param readings the readings of the batch that were valid and not refused by the database, in arrival order
 * @param acks the answer to each reading, in the same order: {@code STORED} (with the time it was stored),
 * {@code DUPLICATE} or {@code CONFLICT}
 * @param rejections why each rejected delivery of the batch was refused (by validation or by the database)
 */
public record BatchCommitted(Instant receivedAt, List<Reading> readings, List<Ack> acks, List<String> rejections) {

	/** How many deliveries the batch held. */
	public int deliveries() {
		return this.readings.size() + this.rejections.size();
	}

}
