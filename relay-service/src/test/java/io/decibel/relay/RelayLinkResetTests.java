package io.decibel.relay;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.decibel.contract.Topics;
import io.decibel.mqtt.ConnectionEpoch;
import io.decibel.relay.readings.StoredReadingRepository;
import io.decibel.testsupport.MqttLinkProxy;
import io.decibel.testsupport.PersistentMosquitto;
import io.decibel.testsupport.TestInfrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * The TCP link between the relay and its broker reset every 2 s through a burst of 20,000 readings from devices that
 * never send a reading again: every reading stored and answered, and the relay connected at the end without anyone's
 * help. The resets go on until every reading is answered. Prints
 * {@code LINK-RESET relay-broker: N=… rows=… answered=… resets=… relayConnections=… elapsed=…}. The
 * relay holds fewer deliveries than its Receive Maximum, so that deliveries wait for room (as on a broker that sends
 * beyond the window, Mosquitto) while the link is being cut: a delivery whose connection goes while it waits is given
 * up, and the broker sends it again on the next.
 * <p>
 * On a Mosquitto of the test's own, whose session queue holds the whole burst ({@code max_queued_messages 0}): on
 * the embedded HiveMQ the test passed before the relay's replies waited for their PUBACKs as it does after, and a
 * Mosquitto with its default queue (1000) drops part of the burst itself while the link is down. Skipped where
 * {@code mosquitto} is not installed.
 */
@Tag("faults")
@SpringBootTest(properties = { "decibel.relay.max-unacknowledged=300", "decibel.relay.batch-size=100" })
@DirtiesContext
class RelayLinkResetTests {

	static final int DEVICES = 8;

	static final int PER_DEVICE = 2_500;

	static final String ROOT = TestInfrastructure.uniqueName("reset");

	static final Topics TOPICS = new Topics(ROOT);

	static PersistentMosquitto broker;

	static MqttLinkProxy proxy;

	@Autowired
	StoredReadingRepository readings;

	@Autowired
	ConnectionEpoch connection;

	@Autowired
	@Qualifier("mqttHealthIndicator")
	HealthIndicator mqtt;

	@BeforeAll
	static void startBroker() throws Exception {
		assumeThat(PersistentMosquitto.isInstalled()).as("mosquitto is installed").isTrue();
		broker = PersistentMosquitto.start(Files.createTempDirectory("decibel-reset-mosquitto-"));
	}

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		RelayTestProperties.register(registry, () -> proxy().url(), ROOT, TestInfrastructure.uniqueName("relay"));
	}

	static synchronized MqttLinkProxy proxy() {
		if (proxy == null) {
			proxy = MqttLinkProxy.start(broker.url());
		}
		return proxy;
	}

	@AfterAll
	static void stopProxyAndBroker() {
		if (proxy != null) {
			proxy.close();
		}
		if (broker != null) {
			broker.close();
		}
	}

	@Test
	void storesAndAnswersEveryReadingOfABurstWhileTheLinkIsResetEveryTwoSeconds() throws Exception {
		// given
		await().atMost(Duration.ofSeconds(30)).until(() -> Status.UP.equals(this.mqtt.health().getStatus()));
		int total = DEVICES * PER_DEVICE;
		long started = System.nanoTime();
		ScheduledExecutorService cutter = Executors.newSingleThreadScheduledExecutor();
		try (OnceDevices devices = OnceDevices.connect(broker.url(), TOPICS, DEVICES, "reset")) {
			// when
			cutter.scheduleAtFixedRate(proxy::cut, 2, 2, TimeUnit.SECONDS);
			devices.publish(PER_DEVICE);
			try {
				await().atMost(Duration.ofSeconds(240)).until(() -> devices.answered() == total);
			}
			catch (org.awaitility.core.ConditionTimeoutException ex) {
				// the figures below say what is missing
			}
			cutter.shutdownNow();
			long cuts = proxy.cuts();

			// then: once the link stays up, nothing is left behind
			await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(devices.answered())
				.as("readings answered of %d (stored %d, link reset %d times, relay connections %d, connected now: %s)",
						total, this.readings.count(), cuts, this.connection.connections(), this.mqtt.health().getStatus())
				.isEqualTo(total));
			assertThat(cuts).as("link resets").isGreaterThanOrEqualTo(3);
			System.out.println(String.format(Locale.ROOT,
					"LINK-RESET relay-broker: N=%d rows=%d answered=%d resets=%d relayConnections=%d elapsed=%.1fs",
					total, this.readings.count(), devices.answered(), cuts, this.connection.connections(),
					(System.nanoTime() - started) / 1e9));
		}
		finally {
			cutter.shutdownNow();
		}
		assertThat(this.readings.count()).isEqualTo(total);
		await().atMost(Duration.ofSeconds(30)).until(() -> Status.UP.equals(this.mqtt.health().getStatus()));
	}

}
