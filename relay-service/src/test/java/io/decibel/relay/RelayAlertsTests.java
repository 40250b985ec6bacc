package io.decibel.relay;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import io.decibel.contract.Ack;
import io.decibel.contract.AckStatus;
import io.decibel.contract.Alert;
import io.decibel.contract.AlertChange;
import io.decibel.contract.Reading;
import io.decibel.contract.SoundLevels;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.relay.MqttTestClient.Received;
import io.decibel.testsupport.TestInfrastructure;
import io.micrometer.core.instrument.MeterRegistry;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two relays of one share group, a night rule (LAeq over 60 dB for 3 minutes between 23:00 and 07:00): a device
 * over the limit for 4 minutes of last night, then under it, raises one alert and clears it — once on MQTT, once in
 * the API of either relay — though each relay stored some of its readings and both evaluate.
 */
class RelayAlertsTests {

	static final String ROOT = TestInfrastructure.uniqueName("alerts");

	static final Topics TOPICS = new Topics(ROOT);

	static final ZoneId ZONE = ZoneId.of("Europe/Paris");

	static final String DEVICE = "bedroom";

	final TelemetryCodec codec = new TelemetryCodec();

	final JsonMapper json = JsonMapper.builder().build();

	final String database = TestInfrastructure.uniqueName("alerts");

	@Test
	void twoRelaysRaiseOneAlertForANightOverTheLimitAndClearIt() throws Exception {
		// started one after the other: the first migrates the database
		try (ConfigurableApplicationContext first = startRelay();
				ConfigurableApplicationContext second = startRelay();
				MqttTestClient watcher = MqttTestClient.connect();
				MqttTestClient device = MqttTestClient.connect()) {
			BlockingQueue<Received> alerts = watcher.subscribe(TOPICS.alert(DEVICE));
			BlockingQueue<Received> acks = device.subscribe(TOPICS.acks(DEVICE));
			// given: last night at 23:30 where the device is
			Instant night = LocalDate.now(ZONE).minusDays(1).atTime(LocalTime.of(23, 30)).atZone(ZONE).toInstant();

			// when: four minutes at 70 dB(A), then two at 50, a reading in the middle of each minute, each stored
			// before the next is sent (so that every minute is stored by the time a later one is evaluated)
			double[] levels = { 70, 70, 70, 70, 50, 50 };
			for (int minute = 0; minute < levels.length; minute++) {
				Instant sampledAt = night.plus(Duration.ofMinutes(minute)).plusSeconds(30);
				device.publish(TOPICS.readings(DEVICE), this.codec.encode(reading(minute, sampledAt, levels[minute])),
						null, null);
				Ack ack = this.codec.decodeAck(MqttTestClient.next(acks).payload().getBytes());
				assertThat(ack.status()).isEqualTo(AckStatus.STORED);
			}

			// then: one alert raised from 23:30 and cleared at 23:34, on the device's alert topic
			Alert raised = this.codec.decodeAlert(MqttTestClient.next(alerts).payload().getBytes());
			assertThat(raised.change()).isEqualTo(AlertChange.RAISED);
			assertThat(raised.rule()).isEqualTo("night");
			assertThat(raised.deviceId()).isEqualTo(DEVICE);
			assertThat(raised.metric()).isEqualTo("laeq");
			assertThat(raised.limit()).isEqualTo(60.0);
			assertThat(raised.raisedAt()).isEqualTo(night);
			assertThat(raised.clearedAt()).isNull();
			assertThat(raised.level()).isCloseTo(70.0, Offset.offset(0.05));
			Alert cleared = this.codec.decodeAlert(MqttTestClient.next(alerts).payload().getBytes());
			assertThat(cleared.change()).isEqualTo(AlertChange.CLEARED);
			assertThat(cleared.id()).isEqualTo(raised.id());
			assertThat(cleared.clearedAt()).isEqualTo(night.plus(Duration.ofMinutes(4)));
			// a few more rounds of both relays: nothing more
			assertThat(alerts.poll(3, TimeUnit.SECONDS)).as("a second alert change").isNull();

			// and: in the API of either relay, closed
			for (ConfigurableApplicationContext relay : List.of(first, second)) {
				JsonNode all = get(relay, "/api/alerts?state=all&device=" + DEVICE).get("items");
				assertThat(all).hasSize(1);
				assertThat(all.get(0).get("id").longValue()).isEqualTo(raised.id());
				assertThat(all.get(0).get("rule").stringValue()).isEqualTo("night");
				assertThat(Instant.parse(all.get(0).get("raisedAt").stringValue())).isEqualTo(night);
				assertThat(Instant.parse(all.get(0).get("clearedAt").stringValue()))
					.isEqualTo(night.plus(Duration.ofMinutes(4)));
				assertThat(get(relay, "/api/alerts").get("items")).isEmpty();
			}
			// counted once, by whichever relay made the change
			assertThat(changes(first, "raised") + changes(second, "raised")).isEqualTo(1.0);
			assertThat(changes(first, "cleared") + changes(second, "cleared")).isEqualTo(1.0);
		}
	}

	private ConfigurableApplicationContext startRelay() {
		List<String> arguments = new ArrayList<>(List.of("--server.port=0",
				"--decibel.mqtt.url=" + TestInfrastructure.mqttUrl(), "--decibel.mqtt.topic-root=" + ROOT,
				"--decibel.mqtt.client-id=" + TestInfrastructure.uniqueName("relay"),
				"--spring.datasource.url=" + TestInfrastructure.jdbcUrl(this.database),
				"--spring.datasource.username=" + TestInfrastructure.dbUsername(),
				"--spring.datasource.password=" + TestInfrastructure.dbPassword(),
				"--decibel.relay.levels.zone=" + ZONE, "--decibel.relay.alerts.interval=200ms",
				"--decibel.relay.alerts.grace=3s", "--decibel.relay.alerts.look-back=2d",
				"--decibel.relay.alerts.rules[0].name=night", "--decibel.relay.alerts.rules[0].metric=laeq",
				"--decibel.relay.alerts.rules[0].limit=60", "--decibel.relay.alerts.rules[0].duration=3m",
				"--decibel.relay.alerts.rules[0].from=23:00", "--decibel.relay.alerts.rules[0].to=07:00"));
		return new SpringApplicationBuilder(RelayApplication.class).run(arguments.toArray(String[]::new));
	}

	private JsonNode get(ConfigurableApplicationContext relay, String path) throws Exception {
		String port = relay.getEnvironment().getProperty("local.server.port");
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
					HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(path).isEqualTo(200);
		return this.json.readTree(response.body());
	}

	private static double changes(ConfigurableApplicationContext relay, String change) {
		return relay.getBean(MeterRegistry.class)
			.get("decibel.relay.alerts")
			.tags("rule", "night", "change", change)
			.counter()
			.count();
	}

	private static Reading reading(long seq, Instant sampledAt, double laeq) {
		return new Reading(DEVICE, seq, sampledAt, 1000, 1234.5, 20 * Math.log10(1234.5 / 32768), 4000, "synthetic",
				new SoundLevels(laeq, laeq + 5, laeq - 10, laeq + 2, laeq, laeq - 5, true));
	}

}
