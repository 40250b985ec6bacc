package io.decibel.testsupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assumptions.assumeThat;

class NamespacedMosquittoTests {

	@TempDir
	Path dir;

	@Test
	void carriesTheDevicesReadingsToTheRelayAndHoldsThemSilentlyWhileTheRelaysLinkIsPartitioned() throws Exception {
		// given
		assumeThat(NamespacedMosquitto.unavailable()).as("a broker in a network namespace can run here").isNull();
		String topic = TestInfrastructure.uniqueName("partition") + "/noise";
		BlockingQueue<String> received = new LinkedBlockingQueue<>();
		String namespace;
		try (NamespacedMosquitto broker = NamespacedMosquitto.start(this.dir, "max_queued_messages 100")) {
			namespace = broker.namespace();
			MqttClient relay = new MqttClient(broker.relayUrl(), TestInfrastructure.uniqueName("relay"),
					new MemoryPersistence());
			MqttClient device = new MqttClient(broker.devicesUrl(), TestInfrastructure.uniqueName("device"),
					new MemoryPersistence());
			relay.connect();
			device.connect();
			relay.subscribe(new MqttSubscription[] { new MqttSubscription(topic, 1) },
					new IMqttMessageListener[] { (t, message) -> received.add(new String(message.getPayload())) });
			device.publish(topic, "before".getBytes(), 1, false);
			assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("before");

			// when
			broker.partitionRelay();
			device.publish(topic, "during".getBytes(), 1, false);

			// then: nothing comes through, and a new connection is neither taken nor refused
			assertThat(received.poll(3, TimeUnit.SECONDS)).isNull();
			URI relayUri = URI.create(broker.relayUrl());
			assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(() -> {
				try (Socket socket = new Socket()) {
					socket.connect(new InetSocketAddress(relayUri.getHost(), relayUri.getPort()), 2000);
				}
			});
			assertThat(device.isConnected()).isTrue();

			// and once healed, the held message arrives on the connection that lived through it
			broker.healRelay();
			assertThat(received.poll(30, TimeUnit.SECONDS)).isEqualTo("during");
			relay.disconnect();
			device.disconnect();
			relay.close();
			device.close();
		}
		assertThat(ip("netns", "list")).doesNotContain(namespace);
		assertThat(ip("-o", "link", "show")).doesNotContain(namespace.substring(namespace.lastIndexOf('-') + 1) + "d@");
	}

	private static String ip(String... arguments) throws IOException {
		List<String> line = new java.util.ArrayList<>(List.of(Executables.find("ip")));
		line.addAll(List.of(arguments));
		return Executables.run(Path.of("/"), line, 30, TimeUnit.SECONDS);
	}

}
