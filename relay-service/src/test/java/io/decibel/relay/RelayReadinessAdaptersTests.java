package io.decibel.relay;

import java.time.Duration;

import io.decibel.testsupport.TestInfrastructure;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.integration.channel.NullChannel;
import org.springframework.integration.mqtt.core.Mqttv5ClientManager;
import org.springframework.integration.mqtt.inbound.Mqttv5PahoMessageDrivenChannelAdapter;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Readiness waits for every inbound adapter the relay is configured with: one that has not subscribed (here, one not
 * started) keeps it DOWN, however many others the broker granted — a relay with nothing subscribed is not ready.
 */
@SpringBootTest
@DirtiesContext
class RelayReadinessAdaptersTests {

	static final String ROOT = TestInfrastructure.uniqueName("adapters");

	static final String LATE = ROOT + "/late/noise";

	@Autowired
	@Qualifier("mqttHealthIndicator")
	HealthIndicator mqtt;

	@Autowired
	Mqttv5PahoMessageDrivenChannelAdapter lateAdapter;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		RelayTestProperties.register(registry, ROOT);
	}

	@Test
	void isNotReadyUntilEveryConfiguredInboundAdapterIsSubscribed() {
		// the readings adapter subscribed: only the one not started is waited for
		await().atMost(Duration.ofSeconds(30))
			.until(() -> String.valueOf(this.mqtt.health().getDetails().get("subscriptions")).startsWith("waiting"));
		assertThat(this.mqtt.health().getDetails().get("subscriptions")).isEqualTo("waiting for the SUBACK of [" + LATE + "]");
		assertThat(String.valueOf(this.mqtt.health().getStatus())).isEqualTo("DOWN");

		// when
		this.lateAdapter.start();

		// then
		await().atMost(Duration.ofSeconds(30)).until(() -> "UP".equals(String.valueOf(this.mqtt.health().getStatus())));
		assertThat(String.valueOf(this.mqtt.health().getDetails().get("subscriptions")))
			.contains("$share/relay/" + ROOT + "/+/noise", LATE);
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class LateAdapter {

		@Bean
		Mqttv5PahoMessageDrivenChannelAdapter lateAdapter(Mqttv5ClientManager clientManager) {
			Mqttv5PahoMessageDrivenChannelAdapter adapter = new Mqttv5PahoMessageDrivenChannelAdapter(clientManager,
					LATE);
			adapter.setQos(1);
			adapter.setOutputChannel(new NullChannel());
			adapter.setAutoStartup(false);
			return adapter;
		}

	}

}
