package io.decibel.contract;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class TopicsTests {

	private final Topics topics = new Topics("root");

	@Test
	void namesTheReadingsTopicOfADevice() {
		assertThat(this.topics.readings("dev-1")).isEqualTo("root/dev-1/noise");
	}

	@Test
	void namesTheReadingsOfEveryDeviceWithASingleLevelWildcard() {
		assertThat(this.topics.allReadings()).isEqualTo("root/+/noise");
	}

	@Test
	void namesTheSharedSubscriptionOfAGroup() {
		assertThat(this.topics.sharedReadings("relay")).isEqualTo("$share/relay/root/+/noise");
	}

	@Test
	void namesTheAckTopicOfADevice() {
		assertThat(this.topics.acks("dev-1")).isEqualTo("root/dev-1/ack");
	}

	@Test
	void namesTheAlertTopicOfADevice() {
		assertThat(this.topics.alert("dev-1")).isEqualTo("root/dev-1/alert");
	}

	@Test
	void namesTheDeadLetterTopic() {
		assertThat(this.topics.deadLetter()).isEqualTo("root/dead-letter");
	}

	@Test
	void usesDecibelAsTheDefaultRoot() {
		assertThat(Topics.defaults().readings("dev-1")).isEqualTo("decibel/dev-1/noise");
	}

	@Test
	void extractsTheDeviceFromItsReadingsTopic() {
		assertThat(this.topics.deviceIdOf("root/dev-1/noise")).hasValue("dev-1");
	}

	@Test
	void extractsTheDeviceUnderARootOfSeveralLevels() {
		Topics site = new Topics("site-7/decibel");

		assertThat(site.deviceIdOf(site.readings("dev-1"))).hasValue("dev-1");
	}

	@ParameterizedTest
	@NullSource
	@ValueSource(strings = { "root/a/b/noise", "other/dev/noise", "root//noise", "root/dev/ack", "root/noise",
			"root/", "root", "rootx/dev/noise", "root/dev/noise/extra", "root/dead-letter", "" })
	void refusesATopicThatIsNotAReadingsTopic(String topic) {
		assertThat(this.topics.deviceIdOf(topic)).isEmpty();
	}

	@ParameterizedTest
	@NullSource
	@ValueSource(strings = { "root/+", "root/#", "#", "root/", "", "  " })
	void refusesARootThatIsNotAPlainTopicName(String root) {
		assertThatIllegalArgumentException().isThrownBy(() -> new Topics(root))
			.withMessageContaining("Topic root must be a plain topic name");
	}

}
