package io.decibel.mqtt;

import java.util.List;

import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What the broker granted on the current connection: the state readiness is made of. */
class SubscriptionsTests {

	private final ConnectionEpoch epoch = new ConnectionEpoch();

	private final Subscriptions subscriptions = new Subscriptions(this.epoch);

	private final MqttSubscription[] readings = { new MqttSubscription("$share/relay/decibel/+/noise", 1) };

	private final List<String> filters = List.of("$share/relay/decibel/+/noise");

	@Test
	void aSubscriptionCountsOnceTheBrokerGrantedAQos() {
		this.epoch.connected(() -> true);
		assertThat(this.subscriptions.granted(this.filters)).isFalse();

		this.subscriptions.answered(this.subscriptions.current(), this.readings, new int[] { 1 });

		assertThat(this.subscriptions.granted(this.filters)).isTrue();
		assertThat(this.subscriptions.refusal()).isNull();
	}

	@Test
	void aRefusedTopicFilterKeepsTheSubscriptionsNotGrantedAndSaysWhy() {
		this.epoch.connected(() -> true);

		// 0x87: not authorized
		this.subscriptions.answered(this.subscriptions.current(), this.readings, new int[] { 0x87 });

		assertThat(this.subscriptions.granted(this.filters)).isFalse();
		assertThat(this.subscriptions.refusal()).isEqualTo("$share/relay/decibel/+/noise refused with reason code 0x87");
	}

	@Test
	void aNewConnectionStartsWithNoneGranted() {
		this.epoch.connected(() -> true);
		this.subscriptions.answered(this.subscriptions.current(), this.readings, new int[] { 1 });

		// when
		this.epoch.disconnected();
		this.epoch.connected(() -> true);

		// then
		assertThat(this.subscriptions.granted(this.filters)).isFalse();
	}

	@Test
	void theAnswerToASubscriptionOfAConnectionThatIsGoneCountsForNothing() {
		this.epoch.connected(() -> true);
		long earlier = this.subscriptions.current();
		this.epoch.disconnected();
		this.epoch.connected(() -> true);

		this.subscriptions.answered(earlier, this.readings, new int[] { 1 });

		assertThat(this.subscriptions.granted(this.filters)).isFalse();
	}

	@Test
	void aTopicFilterGrantedALowerQosThanAskedForIsNotSubscribedAndSaysWhichAndWhat() {
		this.epoch.connected(() -> true);

		// a broker with max_qos 0 grants QoS 0 to a subscription at QoS 1
		this.subscriptions.answered(this.subscriptions.current(), this.readings, new int[] { 0 });

		assertThat(this.subscriptions.granted(this.filters)).isFalse();
		assertThat(this.subscriptions.refusal())
			.isEqualTo("$share/relay/decibel/+/noise granted QoS 0, asked for QoS 1: deliveries could be lost");
	}

	@Test
	void anExpectedTopicFilterNotAnsweredYetKeepsTheSubscriptionsNotGranted() {
		this.epoch.connected(() -> true);
		this.subscriptions.answered(this.subscriptions.current(), this.readings, new int[] { 1 });

		List<String> expected = List.of("$share/relay/decibel/+/noise", "decibel/+/alerts");

		assertThat(this.subscriptions.granted(expected)).isFalse();
		assertThat(this.subscriptions.missing(expected)).containsExactly("decibel/+/alerts");
	}

}
