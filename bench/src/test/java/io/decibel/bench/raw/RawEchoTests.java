package io.decibel.bench.raw;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.decibel.contract.Ack;
import io.decibel.contract.AckStatus;
import io.decibel.contract.Reading;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.mqtt.MessageCallback;
import io.decibel.testsupport.TestInfrastructure;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The benchmark's ceiling, through a real broker (embedded HiveMQ, or the tests' {@code DECIBEL_TEST_MQTT_URL}). */
class RawEchoTests {

	private final TelemetryCodec codec = new TelemetryCodec();

	private final String url = TestInfrastructure.mqttUrl();

	private final Topics topics = new Topics(TestInfrastructure.uniqueName("rawecho"));

	private final BlockingQueue<MqttMessage> answers = new LinkedBlockingQueue<>();

	private RawEcho echo;

	private MqttAsyncClient device;

	@BeforeEach
	void startEchoAndDevice() throws Exception {
		this.echo = RawEcho.start(this.url, this.topics.root(), "raw-echo-" + UUID.randomUUID(),
				RawEcho.RELAY_RECEIVE_MAXIMUM);
		this.device = new MqttAsyncClient(this.url, "device-" + UUID.randomUUID(), new MemoryPersistence());
		this.device.setCallback((MessageCallback) (topic, message) -> this.answers.add(message));
		this.device.connect(new MqttConnectionOptions()).waitForCompletion(10_000);
		this.device.subscribe(new MqttSubscription(this.topics.acks("dev-1"), 1)).waitForCompletion(10_000);
	}

	@AfterEach
	void stop() throws Exception {
		if (this.device != null) {
			this.device.disconnect().waitForCompletion(5_000);
			this.device.close();
		}
		if (this.echo != null) {
			this.echo.close();
		}
	}

	@Test
	void answersAReadingStoredOnItsResponseTopicWithItsCorrelationData() throws Exception {
		// given
		Reading reading = new Reading("dev-1", 42, Instant.now().truncatedTo(ChronoUnit.MILLIS), 1000, 1234.5, -28.5,
				4000, "bench");
		MqttMessage publish = new MqttMessage(this.codec.encode(reading));
		publish.setQos(1);
		MqttProperties properties = new MqttProperties();
		properties.setResponseTopic(this.topics.acks("dev-1"));
		properties.setCorrelationData("42".getBytes(StandardCharsets.UTF_8));
		publish.setProperties(properties);

		// when
		IMqttToken published = this.device.publish(this.topics.readings("dev-1"), publish);
		published.waitForCompletion(10_000);

		// then: the answer the relay gives a reading it stored, at QoS 0, with the request's correlation data
		MqttMessage answer = this.answers.poll(10, TimeUnit.SECONDS);
		assertThat(answer).as("the echo's answer").isNotNull();
		assertThat(answer.getQos()).isZero();
		assertThat(answer.getProperties().getCorrelationData()).asString(StandardCharsets.UTF_8).isEqualTo("42");
		Ack ack = this.codec.decodeAck(answer.getPayload());
		assertThat(ack.deviceId()).isEqualTo("dev-1");
		assertThat(ack.seq()).isEqualTo(42);
		assertThat(ack.status()).isEqualTo(AckStatus.STORED);
		assertThat(ack.storedAt()).isNotNull();
		assertThat(ack.reason()).isNull();
		assertThat(this.answers.poll(500, TimeUnit.MILLISECONDS)).as("a second answer").isNull();
	}

	@Test
	void acknowledgesEveryDeliveryItAnswers() throws Exception {
		// given: more readings than the echo's Receive Maximum, each with a Response Topic
		int readings = 2 * RawEcho.RELAY_RECEIVE_MAXIMUM + 1;

		// when
		for (int seq = 0; seq < readings; seq++) {
			Reading reading = new Reading("dev-1", seq, Instant.now().truncatedTo(ChronoUnit.MILLIS), 1000, 1234.5,
					-28.5, 4000, "bench");
			MqttMessage publish = new MqttMessage(this.codec.encode(reading));
			publish.setQos(1);
			MqttProperties properties = new MqttProperties();
			properties.setResponseTopic(this.topics.acks("dev-1"));
			properties.setCorrelationData(Integer.toString(seq).getBytes(StandardCharsets.UTF_8));
			publish.setProperties(properties);
			this.device.publish(this.topics.readings("dev-1"), publish).waitForCompletion(10_000);
		}

		// then: the broker sent past the first window only because the echo acknowledged what it answered
		for (int i = 0; i < readings; i++) {
			MqttMessage answer = this.answers.poll(10, TimeUnit.SECONDS);
			assertThat(answer).as("answer " + i + " of " + readings).isNotNull();
			assertThat(this.codec.decodeAck(answer.getPayload()).status()).isEqualTo(AckStatus.STORED);
		}
	}

}
