package io.decibel.testsupport;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.decibel.testsupport.MqttLinkProxy.Direction;
import io.decibel.testsupport.MqttLinkProxy.Packet;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The proxy between a real Paho client and the tests' real broker. */
class MqttLinkProxyTests {

	@Test
	void forwardsBothWaysAndRecordsEachPacketWithItsIdsAndCorrelation() throws Exception {
		String topic = TestInfrastructure.uniqueName("proxy") + "/noise";
		BlockingQueue<String> received = new LinkedBlockingQueue<>();
		try (MqttLinkProxy proxy = MqttLinkProxy.start(TestInfrastructure.mqttUrl())) {
			// given: a subscriber behind the proxy, a publisher straight on the broker
			MqttClient subscriber = new MqttClient(proxy.url(), TestInfrastructure.uniqueName("sub"),
					new MemoryPersistence());
			MqttClient publisher = new MqttClient(TestInfrastructure.mqttUrl(), TestInfrastructure.uniqueName("pub"),
					new MemoryPersistence());
			subscriber.connect();
			publisher.connect();
			subscriber.subscribe(new MqttSubscription[] { new MqttSubscription(topic, 1) },
					new IMqttMessageListener[] { (t, message) -> received.add(new String(message.getPayload())) });

			// when
			MqttMessage message = new MqttMessage("hello".getBytes(StandardCharsets.UTF_8));
			message.setQos(1);
			MqttProperties properties = new MqttProperties();
			properties.setResponseTopic(topic + "/ack");
			properties.setCorrelationData("device-7:42".getBytes(StandardCharsets.UTF_8));
			message.setProperties(properties);
			publisher.publish(topic, message);

			// then
			assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("hello");
			await().untilAsserted(() -> assertThat(proxy.packets()).anyMatch((packet) -> isPuback(packet)));
			List<Packet> packets = proxy.packets();
			Packet delivery = packets.stream()
				.filter((packet) -> packet.direction() == Direction.DOWNSTREAM
						&& packet.type() == MqttLinkProxy.PUBLISH)
				.findFirst()
				.orElseThrow();
			Packet puback = packets.stream().filter(MqttLinkProxyTests::isPuback).findFirst().orElseThrow();
			assertThat(delivery.correlation()).isEqualTo("device-7:42");
			assertThat(delivery.qos()).isEqualTo(1);
			assertThat(puback.packetId()).isEqualTo(delivery.packetId()).isPositive();
			assertThat(packets.get(0).direction()).isEqualTo(Direction.UPSTREAM);
			assertThat(packets.get(0).type()).as("CONNECT").isEqualTo(1);
			subscriber.disconnect();
			publisher.disconnect();
		}
	}

	@Test
	void cutsTheLinkAfterTheClientsKthPubackAndTheClientConnectsAgain() throws Exception {
		String topic = TestInfrastructure.uniqueName("proxy") + "/noise";
		try (MqttLinkProxy proxy = MqttLinkProxy.start(TestInfrastructure.mqttUrl())) {
			MqttConnectionOptions options = new MqttConnectionOptions();
			options.setAutomaticReconnect(true);
			options.setAutomaticReconnectDelay(1, 1);
			MqttClient subscriber = new MqttClient(proxy.url(), TestInfrastructure.uniqueName("sub"),
					new MemoryPersistence());
			MqttClient publisher = new MqttClient(TestInfrastructure.mqttUrl(), TestInfrastructure.uniqueName("pub"),
					new MemoryPersistence());
			subscriber.connect(options);
			publisher.connect();
			subscriber.subscribe(new MqttSubscription[] { new MqttSubscription(topic, 1) },
					new IMqttMessageListener[] { (t, message) -> { } });

			// when
			proxy.cutAfterPubacks(2);
			for (int i = 0; i < 3; i++) {
				publisher.publish(topic, "x".getBytes(StandardCharsets.UTF_8), 1, false);
			}

			// then
			await().atMost(Duration.ofSeconds(20)).until(() -> proxy.cuts() == 1 && proxy.connections() == 2);
			assertThat(proxy.packets().stream().filter((packet) -> packet.connection() == 1).filter(
					MqttLinkProxyTests::isPuback)).hasSize(2);
			subscriber.disconnect();
			publisher.disconnect();
		}
	}

	@Test
	void aStalledLinkHoldsWhatArrivesUntilItHealsAndADelayedOneHoldsEachPacketBack() throws Exception {
		String topic = TestInfrastructure.uniqueName("proxy") + "/noise";
		BlockingQueue<String> received = new LinkedBlockingQueue<>();
		try (MqttLinkProxy proxy = MqttLinkProxy.start(TestInfrastructure.mqttUrl())) {
			MqttClient subscriber = new MqttClient(proxy.url(), TestInfrastructure.uniqueName("sub"),
					new MemoryPersistence());
			MqttClient publisher = new MqttClient(TestInfrastructure.mqttUrl(), TestInfrastructure.uniqueName("pub"),
					new MemoryPersistence());
			subscriber.connect();
			publisher.connect();
			subscriber.subscribe(new MqttSubscription[] { new MqttSubscription(topic, 1) },
					new IMqttMessageListener[] { (t, message) -> received.add(new String(message.getPayload())) });

			// when: stalled, a message is published
			proxy.stall(true);
			publisher.publish(topic, "held".getBytes(StandardCharsets.UTF_8), 1, false);

			// then: it stays held while stalled, and arrives once the link heals, on the same connection
			assertThat(received.poll(2, TimeUnit.SECONDS)).isNull();
			proxy.stall(false);
			assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("held");

			// and: delayed, a message takes at least the delay
			proxy.delay(Duration.ofMillis(300));
			long sent = System.nanoTime();
			publisher.publish(topic, "late".getBytes(StandardCharsets.UTF_8), 1, false);
			assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("late");
			assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
			assertThat(proxy.connections()).isOne();
			subscriber.disconnect();
			publisher.disconnect();
		}
	}

	@Test
	void framesPacketsFromTheirRemainingLength() {
		byte[] bytes = { 0x40, 0x02, 0x00, 0x01, 0x30, (byte) 0x80, 0x01 };
		assertThat(MqttLinkProxy.packetEnd(bytes, 0)).isEqualTo(4);
		assertThat(MqttLinkProxy.packetEnd(bytes, 4)).as("128 bytes announced, none here yet").isEqualTo(-1);
		assertThat(MqttLinkProxy.packetEnd(new byte[] { 0x30 }, 0)).isEqualTo(-1);
	}

	private static boolean isPuback(Packet packet) {
		return packet.direction() == Direction.UPSTREAM && packet.type() == MqttLinkProxy.PUBACK;
	}

}
