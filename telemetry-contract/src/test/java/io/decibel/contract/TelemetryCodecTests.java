package io.decibel.contract;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * What travels on the wire: the JSON a reading and an ACK become, and that it reads back as the same value.
 */
class TelemetryCodecTests {

	private static final Instant NOW = Instant.parse("2026-01-31T12:00:00Z");

	private final TelemetryCodec codec = new TelemetryCodec(
			new ReadingValidator(Clock.fixed(NOW, ZoneOffset.UTC)));

	// a plain mapper, so the assertions read the JSON as any other client would
	private final JsonMapper json = JsonMapper.builder().build();

	private final Reading reading = new Reading("dev-1", 42, Instant.parse("2026-01-31T11:59:59.123456789Z"), 500,
			1234.5678, -28.4987, 20001.0, "synthetic");

	@Test
	void encodesAReadingWithExactlyTheContractsFields() {
		// when
		JsonNode encoded = this.json.readTree(this.codec.encode(this.reading));

		// then
		assertThat(encoded.propertyNames()).containsExactlyInAnyOrder("deviceId", "seq", "sampledAt", "windowMs",
				"rms", "dbfs", "peak", "source");
		assertThat(encoded.get("deviceId").stringValue()).isEqualTo("dev-1");
		assertThat(encoded.get("seq").isIntegralNumber()).isTrue();
		assertThat(encoded.get("seq").longValue()).isEqualTo(42);
		assertThat(encoded.get("windowMs").longValue()).isEqualTo(500);
		assertThat(encoded.get("rms").doubleValue()).isEqualTo(1234.5678);
		assertThat(encoded.get("dbfs").doubleValue()).isEqualTo(-28.4987);
		assertThat(encoded.get("peak").doubleValue()).isEqualTo(20001.0);
		assertThat(encoded.get("source").stringValue()).isEqualTo("synthetic");
	}

	@Test
	void encodesSampledAtAsAnIso8601String() {
		JsonNode encoded = this.json.readTree(this.codec.encode(this.reading));

		assertThat(encoded.get("sampledAt").isString()).isTrue();
		assertThat(encoded.get("sampledAt").stringValue()).isEqualTo("2026-01-31T11:59:59.123456789Z");
	}

	@Test
	void decodesAnEncodedReadingBackToAnEqualReading() {
		// when
		DecodedReading decoded = this.codec.decodeReading(this.codec.encode(this.reading));

		// then
		assertThat(decoded.isValid()).isTrue();
		assertThat(decoded.reasons()).isEmpty();
		assertThat(decoded.reason()).isEmpty();
		assertThat(decoded.reading()).isEqualTo(this.reading);
		assertThat(decoded.deviceId()).isEqualTo("dev-1");
		assertThat(decoded.seq()).isEqualTo(42);
	}

	@Test
	void roundTripsTheLargestSeqAndTheLevelsAtTheirLimits() {
		Reading silence = new Reading("dev_2", ReadingValidator.MAX_SEQ, NOW, 1, 0.0, Reading.DBFS_FLOOR, 0.0,
				"wav");
		Reading fullScale = new Reading("dev_2", 0, NOW, ReadingValidator.MAX_WINDOW_MS, Reading.FULL_SCALE, 0.0,
				Reading.FULL_SCALE, "microphone");

		assertThat(this.codec.decodeReading(this.codec.encode(silence)).reading()).isEqualTo(silence);
		assertThat(this.codec.decodeReading(this.codec.encode(fullScale)).reading()).isEqualTo(fullScale);
	}

	@Test
	void encodesAStoredAckWithDeviceSeqStatusAndStoredAtOnly() {
		// given
		Ack ack = Ack.stored(this.reading, NOW);

		// when
		JsonNode encoded = this.json.readTree(this.codec.encode(ack));

		// then
		assertThat(encoded.propertyNames()).containsExactlyInAnyOrder("deviceId", "seq", "status", "storedAt");
		assertThat(encoded.get("deviceId").stringValue()).isEqualTo("dev-1");
		assertThat(encoded.get("seq").longValue()).isEqualTo(42);
		assertThat(encoded.get("status").stringValue()).isEqualTo("STORED");
		assertThat(encoded.get("storedAt").stringValue()).isEqualTo("2026-01-31T12:00:00Z");
	}

	@Test
	void encodesADuplicateAckWithTheStatusDuplicate() {
		JsonNode encoded = this.json.readTree(this.codec.encode(Ack.duplicate(this.reading, NOW)));

		assertThat(encoded.get("status").stringValue()).isEqualTo("DUPLICATE");
		assertThat(encoded.has("reason")).isFalse();
	}

	@Test
	void encodesARejectedAckWithItsReasonAndNoStoredAt() {
		// given
		Ack ack = Ack.rejected("dev-1", 42L, "dbfs must be a finite number between -120.0 and 0.0");

		// when
		JsonNode encoded = this.json.readTree(this.codec.encode(ack));

		// then
		assertThat(encoded.propertyNames()).containsExactlyInAnyOrder("deviceId", "seq", "status", "reason");
		assertThat(encoded.get("status").stringValue()).isEqualTo("REJECTED");
		assertThat(encoded.get("reason").stringValue())
			.isEqualTo("dbfs must be a finite number between -120.0 and 0.0");
	}

	@Test
	void omitsTheSeqOfARejectedAckWhenThePayloadHadNone() {
		JsonNode encoded = this.json.readTree(this.codec.encode(Ack.rejected("dev-1", null, "seq is missing")));

		assertThat(encoded.propertyNames()).containsExactlyInAnyOrder("deviceId", "status", "reason");
	}

	@Test
	void encodesARaisedAlertWithoutClearedAt() {
		// given
		Alert alert = new Alert(7, AlertChange.RAISED, "night", "dev-1", "laeq", 45.0, NOW, null, 52.3);

		// when
		JsonNode encoded = this.json.readTree(this.codec.encode(alert));

		// then
		assertThat(encoded.propertyNames()).containsExactlyInAnyOrder("id", "change", "rule", "deviceId", "metric",
				"limit", "raisedAt", "level");
		assertThat(encoded.get("change").stringValue()).isEqualTo("RAISED");
		assertThat(encoded.get("raisedAt").stringValue()).isEqualTo("2026-01-31T12:00:00Z");
		assertThat(encoded.get("limit").doubleValue()).isEqualTo(45.0);
	}

	@Test
	void decodesAnEncodedClearedAlertBackToAnEqualAlert() {
		Alert alert = new Alert(7, AlertChange.CLEARED, "night", "dev-1", "l90", 45.0, NOW, NOW.plusSeconds(600),
				52.3);

		assertThat(this.codec.decodeAlert(this.codec.encode(alert))).isEqualTo(alert);
	}

	@ParameterizedTest
	@EnumSource(AckStatus.class)
	void decodesAnEncodedAckBackToAnEqualAck(AckStatus status) {
		// given
		Ack ack = switch (status) {
			case REJECTED -> Ack.rejected("dev-1", 42L, "seq must be between 0 and 1");
			case CONFLICT -> new Ack("dev-1", 42L, status, NOW, "stored with a different reading", 917L,
					new ReadingIdentity(Instant.parse("2026-01-31T11:59:59.123456Z"), "ab".repeat(32)));
			default -> new Ack("dev-1", 42L, status, NOW, null);
		};

		// when
		Ack decoded = this.codec.decodeAck(this.codec.encode(ack));

		// then
		assertThat(decoded).isEqualTo(ack);
	}

	@Test
	void writesTheHighestStoredSeqOfAConflictOnly() {
		JsonNode stored = this.json.readTree(this.codec.encode(new Ack("dev-1", 3L, AckStatus.STORED, NOW, null)));
		JsonNode conflict = this.json.readTree(this.codec.encode(new Ack("dev-1", 3L, AckStatus.CONFLICT, NOW,
				"stored with a different reading", 917L)));

		assertThat(stored.has("highestSeq")).isFalse();
		assertThat(conflict.get("status").stringValue()).isEqualTo("CONFLICT");
		assertThat(conflict.get("highestSeq").longValue()).isEqualTo(917L);
	}

	@Test
	void writesTheReadingThatHoldsTheSeqOfAConflictAndReadsAConflictWithoutIt() {
		ReadingIdentity heldBy = new ReadingIdentity(Instant.parse("2026-01-31T11:59:59.123456Z"), "ab".repeat(32));
		JsonNode conflict = this.json.readTree(this.codec.encode(new Ack("dev-1", 3L, AckStatus.CONFLICT, NOW,
				"stored with a different reading", 917L, heldBy)));
		byte[] v11 = """
				{"deviceId":"dev-1","seq":3,"status":"CONFLICT","storedAt":"2026-01-31T12:00:00Z","highestSeq":917}"""
			.getBytes(StandardCharsets.UTF_8);

		assertThat(conflict.get("heldBy").get("sampledAt").stringValue()).isEqualTo("2026-01-31T11:59:59.123456Z");
		assertThat(conflict.get("heldBy").get("digest").stringValue()).isEqualTo("ab".repeat(32));
		assertThat(this.json.readTree(this.codec.encode(new Ack("dev-1", 3L, AckStatus.STORED, NOW, null)))
			.has("heldBy")).isFalse();
		assertThat(this.codec.decodeAck(v11))
			.isEqualTo(new Ack("dev-1", 3L, AckStatus.CONFLICT, NOW, null, 917L, null));
	}

	@Test
	void decodesAnAckWrittenByAnotherClientIgnoringUnknownFields() {
		byte[] payload = """
				{"deviceId":"dev-1","seq":7,"status":"STORED","storedAt":"2026-01-31T12:00:00Z","relay":"r-2"}"""
			.getBytes(StandardCharsets.UTF_8);

		assertThat(this.codec.decodeAck(payload)).isEqualTo(new Ack("dev-1", 7L, AckStatus.STORED, NOW, null));
	}

	@ParameterizedTest
	@ValueSource(strings = { "ACK", "{\"deviceId\":\"dev-1\",\"seq\":", "[]", "42", "\"STORED\"", "null",
			"{\"deviceId\":\"dev-1\",\"seq\":7,\"status\":\"LOST\"}", "{\"seq\":7,\"status\":\"STORED\"}",
			"{\"deviceId\":\"dev-1\",\"seq\":7,\"sampledAt\":\"2026-01-31T12:00:00Z\",\"windowMs\":500}" })
	void refusesAPayloadThatIsNotAnAckWithAnIllegalArgumentException(String payload) {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.codec.decodeAck(payload.getBytes(StandardCharsets.UTF_8)))
			.withMessageContaining("ACK");
	}

	@Test
	void refusesAnEmptyAckPayloadWithAnIllegalArgumentException() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.codec.decodeAck(new byte[0]))
			.withMessageContaining("ACK");
	}

}
