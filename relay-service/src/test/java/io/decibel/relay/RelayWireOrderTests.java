package io.decibel.relay;

import java.time.Duration;

import io.decibel.contract.Topics;
import io.decibel.relay.readings.StoredReadingRepository;
import io.decibel.testsupport.MqttLinkProxy;
import io.decibel.testsupport.TestInfrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * At the wire, through a proxy between the relay and the broker that records every packet: under a backlog of
 * readings, each delivery's reply goes out before its PUBACK on the same connection. A PUBACK ahead of its reply
 * lets the broker settle a delivery whose answer a connection's end would lose.
 */
@SpringBootTest
@DirtiesContext
class RelayWireOrderTests {

	static final int DEVICES = 8;

	static final int PER_DEVICE = 250;

	static final String ROOT = TestInfrastructure.uniqueName("wire");

	static final Topics TOPICS = new Topics(ROOT);

	static MqttLinkProxy proxy;

	@Autowired
	StoredReadingRepository readings;

	@Autowired
	@Qualifier("mqttHealthIndicator")
	HealthIndicator mqtt;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		RelayTestProperties.register(registry, () -> proxy().url(), ROOT, TestInfrastructure.uniqueName("relay"));
	}

	static synchronized MqttLinkProxy proxy() {
		if (proxy == null) {
			proxy = MqttLinkProxy.start(TestInfrastructure.mqttUrl());
		}
		return proxy;
	}

	@AfterAll
	static void stopProxy() {
		if (proxy != null) {
			proxy.close();
		}
	}

	@Test
	void everyDeliverysReplyGoesOutBeforeItsPuback() throws Exception {
		// given
		await().atMost(Duration.ofSeconds(30)).until(() -> Status.UP.equals(this.mqtt.health().getStatus()));
		int total = DEVICES * PER_DEVICE;
		try (OnceDevices devices = OnceDevices.connect(TOPICS, DEVICES, "wire")) {
			// when: a burst that the relay takes in batches, a backlog behind each
			devices.publish(PER_DEVICE);

			// then
			await().atMost(Duration.ofSeconds(90))
				.untilAsserted(() -> assertThat(devices.answered()).as("readings answered").isEqualTo(total));
		}
		assertThat(this.readings.count()).isEqualTo(total);
		WireOrder order = WireOrder.of(proxy.packets());
		assertThat(order.pubacks()).as("PUBACKs of the devices' deliveries").isGreaterThanOrEqualTo(total);
		assertThat(order.ahead()).as(order.toString()).isZero();
	}

}
