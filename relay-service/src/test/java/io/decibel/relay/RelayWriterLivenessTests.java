package io.decibel.relay;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.relay.MqttTestClient.Received;
import io.decibel.relay.readings.BatchCommitted;
import io.decibel.testsupport.TestInfrastructure;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A readings writer that stops making progress with the database up makes the relay not live, so that an
 * orchestrator restarts it. The writer is held up, or its batch made to fail, by a listener of its own commits, which
 * runs on its thread.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "decibel.relay.writer-stall-limit=2s")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RelayWriterLivenessTests {

	static final String ROOT = TestInfrastructure.uniqueName("liveness");

	static final Topics TOPICS = new Topics(ROOT);

	static final AtomicBoolean HOLD = new AtomicBoolean();

	static final AtomicBoolean FAIL = new AtomicBoolean();

	final TelemetryCodec codec = new TelemetryCodec();

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		RelayTestProperties.register(registry, ROOT);
	}

	@Test
	@Order(1)
	void isNotLiveWhileTheWriterHoldsABatchWithTheDatabaseUpAndLiveWhenItMovesAgain() throws Exception {
		try (MqttTestClient device = MqttTestClient.connect()) {
			// given
			BlockingQueue<Received> acks = device.subscribe(TOPICS.acks("stuck"));
			await().until(() -> liveness() == 200);
			HOLD.set(true);

			// when
			device.publish(TOPICS.readings("stuck"), this.codec.encode(RelayTests.reading("stuck", 1)), null, null);

			// then
			try {
				await().atMost(Duration.ofSeconds(30)).until(() -> liveness() == 503);
				assertThat(readiness()).as("readiness is about the broker and the database").isEqualTo(200);
			}
			finally {
				HOLD.set(false);
			}
			await().atMost(Duration.ofSeconds(30)).until(() -> liveness() == 200);
			assertThat(MqttTestClient.next(acks).payload()).contains("STORED");
		}
	}

	@Test
	@Order(2)
	@DirtiesContext
	void isNotLiveWhileABatchFailsAgainAndAgainWithTheDatabaseUp() throws Exception {
		try (MqttTestClient device = MqttTestClient.connect()) {
			// given
			await().until(() -> liveness() == 200);
			FAIL.set(true);

			// when
			device.publish(TOPICS.readings("doomed"), this.codec.encode(RelayTests.reading("doomed", 1)), null, null);

			// then: the batch is tried again and again, and the relay is not live
			await().atMost(Duration.ofSeconds(30)).until(() -> liveness() == 503);
		}
		finally {
			FAIL.set(false);
		}
	}

	private int liveness() throws Exception {
		return status("/actuator/health/liveness");
	}

	private int readiness() throws Exception {
		return status("/actuator/health/readiness");
	}

	private int status(String path) throws Exception {
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).build(),
					HttpResponse.BodyHandlers.discarding())
			.statusCode();
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Trouble {

		@Bean
		WriterTrouble writerTrouble() {
			return new WriterTrouble();
		}

	}

	/** Runs on the writer's thread right after each commit, as the relay's own listeners do. */
	static class WriterTrouble {

		@EventListener
		void committed(BatchCommitted batch) throws InterruptedException {
			long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
			while (HOLD.get() && System.nanoTime() < until) {
				Thread.sleep(20);
			}
			if (FAIL.get()) {
				throw new IllegalStateException("failed by the test");
			}
		}

	}

}
