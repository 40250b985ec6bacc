package io.decibel.subscriber;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.decibel.contract.Reading;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.testsupport.TestInfrastructure;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.integration.mqtt.event.MqttSubscribedEvent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A subscriber's Prometheus scrape: the readings it showed, per device. */
class SubscriberMetricsTests {

	private final Topics topics = new Topics(TestInfrastructure.uniqueName("submetrics"));

	private final TelemetryCodec codec = new TelemetryCodec();

	private ConfigurableApplicationContext subscriber;

	private MqttClient device;

	@AfterEach
	void stop() throws Exception {
		if (this.device != null) {
			this.device.disconnect();
			this.device.close();
		}
		if (this.subscriber != null) {
			this.subscriber.close();
		}
	}

	@Test
	void countsTheReadingsItShowsPerDevice() throws Exception {
		// given
		CountDownLatch subscribed = new CountDownLatch(1);
		this.subscriber = new SpringApplicationBuilder(SubscriberApplication.class)
			.listeners((ApplicationListener<MqttSubscribedEvent>) (event) -> subscribed.countDown())
			.run("--decibel.mqtt.url=" + TestInfrastructure.mqttUrl(), "--decibel.mqtt.topic-root=" + this.topics.root(),
					"--server.port=0");
		assertThat(subscribed.await(30, TimeUnit.SECONDS)).isTrue();
		this.device = new MqttClient(TestInfrastructure.mqttUrl(), TestInfrastructure.uniqueName("device"),
				new MemoryPersistence());
		this.device.connect();

		// when: three readings of the kitchen, one of the hall, one that is no reading at all
		for (int seq = 0; seq < 3; seq++) {
			publish(reading("kitchen", seq));
		}
		publish(reading("hall", 0));
		this.device.publish(this.topics.readings("hall"), new MqttMessage("not json".getBytes()));

		// then
		await().untilAsserted(() -> {
			String scrape = get("/actuator/prometheus");
			assertThat(scrape).contains(
					"decibel_subscriber_device_readings_total{application=\"subscriber-service\",device=\"kitchen\"} 3.0",
					"decibel_subscriber_device_readings_total{application=\"subscriber-service\",device=\"hall\"} 1.0",
					"decibel_subscriber_readings_total{application=\"subscriber-service\",outcome=\"unreadable\"} 1.0");
		});
	}

	private void publish(Reading reading) throws Exception {
		MqttMessage message = new MqttMessage(this.codec.encode(reading));
		message.setQos(1);
		this.device.publish(this.topics.readings(reading.deviceId()), message);
	}

	private String get(String path) throws Exception {
		String port = this.subscriber.getEnvironment().getProperty("local.server.port");
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
					HttpResponse.BodyHandlers.ofString())
			.body();
	}

	private static Reading reading(String deviceId, long seq) {
		return new Reading(deviceId, seq, Instant.now().truncatedTo(ChronoUnit.MILLIS), 1000, 1234.5,
				20 * Math.log10(1234.5 / 32768), 4000, "synthetic");
	}

}
