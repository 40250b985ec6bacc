package io.decibel.relay.quarantine;

import java.nio.charset.StandardCharsets;

import io.decibel.contract.TelemetryCodec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The reason texts of the contract's codec and validator, and the relay's own, each in its category. */
class RejectionCategoryTests {

	private final TelemetryCodec codec = new TelemetryCodec();

	private static final String GOOD = "{\"deviceId\":\"d-1\",\"seq\":1,\"sampledAt\":\"2026-11-25T10:00:00Z\","
			+ "\"windowMs\":1000,\"rms\":1234.5,\"dbfs\":-28.5,\"peak\":4000.0,\"source\":\"synthetic\"}";

	@Test
	void namesTheKindOfEachRejectionTheCodecGives() {
		assertThat(categoryOf(new byte[0])).isEqualTo(RejectionCategory.EMPTY);
		assertThat(categoryOf(new byte[TelemetryCodec.MAX_PAYLOAD_BYTES + 1])).isEqualTo(RejectionCategory.OVERSIZE);
		assertThat(categoryOf("{not json")).isEqualTo(RejectionCategory.MALFORMED_JSON);
		assertThat(categoryOf("[1, 2]")).isEqualTo(RejectionCategory.MALFORMED_JSON);
		assertThat(categoryOf(GOOD.replace("\"seq\":1,", ""))).isEqualTo(RejectionCategory.MISSING_FIELD);
		assertThat(categoryOf(GOOD.replace("\"rms\":1234.5", "\"rms\":\"loud\""))).isEqualTo(RejectionCategory.WRONG_TYPE);
		assertThat(categoryOf(GOOD.replace("\"seq\":1", "\"seq\":1.5"))).isEqualTo(RejectionCategory.WRONG_TYPE);
		assertThat(categoryOf(GOOD.replace("\"deviceId\":\"d-1\"", "\"deviceId\":7"))).isEqualTo(RejectionCategory.WRONG_TYPE);
		assertThat(categoryOf(GOOD.replace("2026-11-25T10:00:00Z", "yesterday"))).isEqualTo(RejectionCategory.WRONG_TYPE);
		assertThat(categoryOf(GOOD.replace("-28.5", "12.0"))).isEqualTo(RejectionCategory.OUT_OF_RANGE);
		assertThat(categoryOf(GOOD.replace("2026-11-25", "1990-01-01"))).isEqualTo(RejectionCategory.OUT_OF_RANGE);
		assertThat(categoryOf(GOOD.replace("\"d-1\"", "\"d 1!\""))).isEqualTo(RejectionCategory.OUT_OF_RANGE);
		assertThat(categoryOf(GOOD.replace("\"windowMs\":1000", "\"windowMs\":0"))).isEqualTo(RejectionCategory.OUT_OF_RANGE);
	}

	@Test
	void namesTheKindOfEachRejectionOfSoundLevels() {
		String levels = ",\"laeq\":54.2,\"lafmax\":61.0,\"lafmin\":45.5,\"laf10\":58.0,\"laf50\":52.5,\"laf90\":48.3,"
				+ "\"calibrated\":true}";
		String measured = GOOD.substring(0, GOOD.length() - 1) + levels;
		assertThat(categoryOf(measured.replace(",\"laf50\":52.5", ""))).isEqualTo(RejectionCategory.MISSING_FIELD);
		assertThat(categoryOf(measured.replace("true", "\"yes\""))).isEqualTo(RejectionCategory.WRONG_TYPE);
		assertThat(categoryOf(measured.replace("61.0", "\"loud\""))).isEqualTo(RejectionCategory.WRONG_TYPE);
		assertThat(categoryOf(measured.replace("61.0", "300.0"))).isEqualTo(RejectionCategory.OUT_OF_RANGE);
		assertThat(categoryOf(measured.replace("45.5", "50.0"))).isEqualTo(RejectionCategory.OUT_OF_RANGE);
		assertThat(this.codec.decodeReading(measured.getBytes(StandardCharsets.UTF_8)).isValid()).isTrue();
	}

	@Test
	void namesATopicThatDisagreesWithItsPayloadADeviceMismatch() {
		assertThat(RejectionCategory.of("topic names device 'porch' but the payload names 'cellar'"))
			.isEqualTo(RejectionCategory.DEVICE_MISMATCH);
	}

	@Test
	void namesAReadingTheDatabaseRefusedADatabaseRejection() {
		assertThat(RejectionCategory.of(QuarantinedPayload.DATABASE_REFUSED + "Data too long for column 'source' at row 1; x"))
			.isEqualTo(RejectionCategory.DATABASE);
		assertThat(RejectionCategory.DATABASE.tag()).isEqualTo("database");
	}

	@Test
	void takesTheFirstReasonAndKnowsWhenItDoesNotKnow() {
		assertThat(RejectionCategory.of("seq is missing; rms must be a number")).isEqualTo(RejectionCategory.MISSING_FIELD);
		assertThat(RejectionCategory.of("something new")).isEqualTo(RejectionCategory.OTHER);
		assertThat(RejectionCategory.MALFORMED_JSON.tag()).isEqualTo("malformed_json");
	}

	private RejectionCategory categoryOf(String payload) {
		return categoryOf(payload.getBytes(StandardCharsets.UTF_8));
	}

	private RejectionCategory categoryOf(byte[] payload) {
		return RejectionCategory.of(this.codec.decodeReading(payload).reason());
	}

}
