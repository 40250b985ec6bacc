package io.decibel.relay.readings;

import io.decibel.contract.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which Response Topics a device's answer may go to: only its own namespace's. */
class ReplyTopicsTests {

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final ReplyTopics replies = new ReplyTopics(new Topics("decibel"), this.meters);

	@Test
	void answersOnAResponseTopicInTheDevicesNamespace() {
		assertThat(this.replies.replyTopic("dev-A", "decibel/dev-A/ack")).isEqualTo("decibel/dev-A/ack");
		assertThat(this.replies.replyTopic("dev-A", "decibel/dev-A/replies/7")).isEqualTo("decibel/dev-A/replies/7");
		assertThat(this.replies.replyTopic("dev-A", null)).isEqualTo("decibel/dev-A/ack");
		assertThat(this.meters.counter("decibel.relay.replies.redirected").count()).isZero();
	}

	@Test
	void answersOnTheDevicesAckTopicWhenTheResponseTopicLiesElsewhere() {
		for (String elsewhere : new String[] { "decibel/dev-B/ack", "decibel/dev-a/ack", "decibel/dev-Ax/ack",
				"decibel/dev-A", "decibel/dev-A/", "decibel/dev-A/+", "decibel/dev-A/#", "decibel/+/ack",
				"decibel/dev-A/noise", "decibel/dead-letter", "$SYS/decibel/dev-A/ack", "other/dev-A/ack" }) {
			assertThat(this.replies.replyTopic("dev-A", elsewhere)).as(elsewhere).isEqualTo("decibel/dev-A/ack");
		}
		assertThat(this.meters.counter("decibel.relay.replies.redirected").count()).isEqualTo(12);
	}

}
