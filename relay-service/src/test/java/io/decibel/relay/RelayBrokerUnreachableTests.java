package io.decibel.relay;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.relay.MqttTestClient.Received;
import io.decibel.testsupport.MqttLinkProxy;
import io.decibel.testsupport.TestInfrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A relay that cannot reach its broker for longer than {@code decibel.relay.broker.unreachable-limit} is not live, so
 * that an orchestrator restarts it; once the broker is reachable again it connects by itself and is live again.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "decibel.relay.broker.unreachable-limit=3s")
@DirtiesContext
class RelayBrokerUnreachableTests {

	static final String ROOT = TestInfrastructure.uniqueName("unreachable");

	static final Topics TOPICS = new Topics(ROOT);

	static MqttLinkProxy proxy;

	@LocalServerPort
	int port;

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
	void isNotLiveWhileItCannotReachTheBrokerLongerThanTheLimitAndLiveOnceItIsBack() throws Exception {
		// given
		await().atMost(Duration.ofSeconds(30)).until(() -> status("readiness") == 200);
		assertThat(status("liveness")).isEqualTo(200);

		// when
		proxy.refuse(true);

		// then
		try {
			await().atMost(Duration.ofSeconds(30)).until(() -> status("liveness") == 503);
		}
		finally {
			proxy.refuse(false);
		}
		await().atMost(Duration.ofSeconds(60)).until(() -> status("readiness") == 200);
		assertThat(status("liveness")).isEqualTo(200);
		try (MqttTestClient device = MqttTestClient.connect()) {
			var acks = device.subscribe(TOPICS.acks("back"));
			device.publish(TOPICS.readings("back"), new TelemetryCodec().encode(RelayTests.reading("back", 1)), null,
					null);
			Received ack = MqttTestClient.next(acks);
			assertThat(ack.payload()).contains("STORED");
		}
	}

	private int status(String group) throws Exception {
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/actuator/health/" + group))
				.build(), HttpResponse.BodyHandlers.discarding())
			.statusCode();
	}

}
