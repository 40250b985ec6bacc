package io.decibel.subscriber;

import io.decibel.contract.Topics;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How a subscriber listens.
 *
 * @param group the shared-subscription group to join, so that each reading goes to one member of the group; unset,
 * every replica sees every reading
 */
@ConfigurationProperties("decibel.subscriber")
record SubscriberProperties(@Nullable String group) {

	/** The topic filter this subscriber subscribes to. */
	String topicFilter(Topics topics) {
		return (this.group != null && !this.group.isBlank()) ? topics.sharedReadings(this.group)
				: topics.allReadings();
	}

}
