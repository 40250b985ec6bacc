package io.decibel.relay;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;

import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.relay.MqttTestClient.Received;
import io.decibel.relay.quarantine.QuarantineRepository;
import io.decibel.relay.quarantine.QuarantinedPayload;
import io.decibel.relay.readings.StoredReadingRepository;
import io.decibel.testsupport.TestInfrastructure;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The corpus of malformed messages, sent through the real broker between good readings: each gets a reason, none
 * stops the flow, every good reading is stored.
 */
@SpringBootTest
class RelayBadInputTests {

	static final String ROOT = TestInfrastructure.uniqueName("bad");

	static final Topics TOPICS = new Topics(ROOT);

	static final String DEVICE = "lab";

	final TelemetryCodec codec = new TelemetryCodec();

	final JsonMapper json = JsonMapper.builder().build();

	@Autowired
	StoredReadingRepository readings;

	@Autowired
	QuarantineRepository quarantine;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		RelayTestProperties.register(registry, ROOT);
	}

	/** Over the contract's limit, under the relay's Maximum Packet Size (16 KB): it reaches the relay, to be refused. */
	static final int OVERSIZE_BYTES = TelemetryCodec.MAX_PAYLOAD_BYTES + 1024;

	static byte[] filled(int size) {
		byte[] payload = new byte[size];
		Arrays.fill(payload, (byte) 'x');
		return payload;
	}

	record Bad(String label, String reason, byte[] payload) {

		static Bad of(String label, String reason, String payload) {
			return new Bad(label, reason, payload.getBytes(StandardCharsets.UTF_8));
		}

	}

	List<Bad> corpus() {
		String good = new String(this.codec.encode(RelayTests.reading(DEVICE, 999)), StandardCharsets.UTF_8);
		byte[] oversize = filled(OVERSIZE_BYTES);
		return List.of(Bad.of("not JSON", "malformed JSON", "loud noise"),
				Bad.of("truncated JSON", "malformed JSON", good.substring(0, good.length() / 2)),
				Bad.of("array", "must be a JSON object", "[1,2,3]"), Bad.of("empty object", "deviceId is missing", "{}"),
				Bad.of("wrong type", "rms must be a number", good.replaceFirst("\"rms\":[0-9.]+", "\"rms\":\"loud\"")),
				Bad.of("missing field", "sampledAt is missing", good.replaceFirst("\"sampledAt\":\"[^\"]+\",", "")),
				Bad.of("NaN", "malformed JSON", good.replaceFirst("\"dbfs\":[-0-9.]+", "\"dbfs\":NaN")),
				Bad.of("Infinity", "malformed JSON", good.replaceFirst("\"rms\":[0-9.]+", "\"rms\":Infinity")),
				Bad.of("negative seq", "seq must be between", good.replaceFirst("\"seq\":999", "\"seq\":-1")),
				Bad.of("huge seq", "seq must be an integer", good.replaceFirst("\"seq\":999", "\"seq\":1e30")),
				Bad.of("device with slash", "deviceId must match", good.replace("\"" + DEVICE + "\"", "\"a/b\"")),
				Bad.of("device with plus", "deviceId must match", good.replace("\"" + DEVICE + "\"", "\"a+b\"")),
				Bad.of("device with hash", "deviceId must match", good.replace("\"" + DEVICE + "\"", "\"a#\"")),
				Bad.of("unicode device", "deviceId must match", good.replace("\"" + DEVICE + "\"", "\"läb\"")),
				Bad.of("1 KiB device", "deviceId must match", good.replace("\"" + DEVICE + "\"", "\"" + "d".repeat(1024) + "\"")),
				Bad.of("other device", "but the payload names 'kitchen'",
						good.replace("\"" + DEVICE + "\"", "\"kitchen\"")),
				new Bad("9 KiB payload", "exceeds the limit", oversize), new Bad("empty payload", "empty payload", new byte[0]),
				new Bad("binary garbage", "malformed JSON", new byte[] { 0, (byte) 0xc3, 0x28, (byte) 0xff, 0x7f }));
	}

	@Test
	void everyMalformedMessageGetsAReasonAndEveryGoodReadingIsStored() throws Exception {
		List<Bad> corpus = corpus();
		try (MqttTestClient device = MqttTestClient.connect()) {
			// given
			BlockingQueue<Received> deadLetters = device.subscribe(TOPICS.deadLetter());
			BlockingQueue<Received> acks = device.subscribe(TOPICS.acks(DEVICE));

			// when: a good reading before and after each bad message
			long seq = 0;
			for (Bad bad : corpus) {
				device.publish(TOPICS.readings(DEVICE), this.codec.encode(RelayTests.reading(DEVICE, seq++)), null,
						null);
				device.publish(TOPICS.readings(DEVICE), bad.payload(), null, null);
			}
			// and a payload beyond the relay's Maximum Packet Size: the broker never hands it to the relay
			device.publish(TOPICS.readings(DEVICE), filled(1024 * 1024), null, null);
			device.publish(TOPICS.readings(DEVICE), this.codec.encode(RelayTests.reading(DEVICE, seq++)), null, null);

			// then: each bad message is dead-lettered with its reason, in order
			for (Bad bad : corpus) {
				JsonNode deadLetter = this.json.readTree(MqttTestClient.next(deadLetters).payload());
				assertThat(deadLetter.path("reason").asString()).as(bad.label()).contains(bad.reason());
				assertThat(deadLetter.path("payloadBytes").asInt()).as(bad.label()).isEqualTo(bad.payload().length);
			}
			// ... answered REJECTED on the device's ACK topic (the topic names the device), good ones STORED
			Set<Long> stored = new HashSet<>();
			List<String> rejections = new ArrayList<>();
			for (int i = 0; i < corpus.size() * 2 + 1; i++) {
				JsonNode ack = this.json.readTree(MqttTestClient.next(acks).payload());
				if (ack.path("status").asString().equals("STORED")) {
					stored.add(ack.path("seq").asLong());
				}
				else {
					assertThat(ack.path("status").asString()).isEqualTo("REJECTED");
					assertThat(ack.path("deviceId").asString()).isEqualTo(DEVICE);
					rejections.add(ack.path("reason").asString());
				}
			}
			assertThat(stored).hasSize(corpus.size() + 1);
			assertThat(rejections).hasSize(corpus.size());
			// the megabyte was dropped by the broker for the relay, not dead-lettered, and stopped nothing
			assertThat(deadLetters).isEmpty();
			// ... and kept in quarantine for an operator; the table holds exactly the good readings
			assertThat(this.readings.count()).isEqualTo(seq);
			List<QuarantinedPayload> kept = this.quarantine.findAll();
			assertThat(kept).hasSize(corpus.size());
			assertThat(kept).allSatisfy((payload) -> assertThat(payload.getPayload()).hasSizeLessThanOrEqualTo(
					TelemetryCodec.MAX_PAYLOAD_BYTES));
			assertThat(kept).anySatisfy((payload) -> assertThat(payload.getPayloadBytes()).isEqualTo(OVERSIZE_BYTES));
		}
	}

}
