package io.decibel.contract;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

/**
 * The relay's side of the wire: whatever arrives on a readings topic is either a valid reading or a readable
 * reason, and never an exception. When the payload still names its device (and seq), the relay can answer it.
 */
class ReadingDecodingTests {

	private static final Instant NOW = Instant.parse("2026-01-31T12:00:00Z");

	private static final String DEVICE = "dev-1";

	private static final long SEQ = 7;

	private final TelemetryCodec codec = new TelemetryCodec(
			new ReadingValidator(Clock.fixed(NOW, ZoneOffset.UTC)));

	@Test
	void acceptsAValidReading() {
		DecodedReading decoded = this.codec.decodeReading(payload(valid()));

		assertThat(decoded.isValid()).isTrue();
		assertThat(decoded.reading()).isEqualTo(new Reading(DEVICE, SEQ, Instant.parse("2026-01-31T11:59:59.500Z"),
				500, 1234.5, -28.5, 20000.0, "synthetic"));
	}

	@Test
	void acceptsAValidReadingWithUnknownExtraFields() {
		// given a reading from a newer publisher
		Map<String, String> fields = valid();
		fields.put("firmware", "\"2.1.0\"");
		fields.put("location", "{\"lat\":52.1,\"lon\":4.3}");
		fields.put("tags", "[\"indoor\",null]");

		// when
		DecodedReading decoded = this.codec.decodeReading(payload(fields));

		// then
		assertThat(decoded.isValid()).as(decoded.reason()).isTrue();
		assertThat(decoded.reading().seq()).isEqualTo(SEQ);
	}

	@Test
	void acceptsAPayloadOfExactlyTheSizeLimit() {
		byte[] payload = padded(payload(valid()), TelemetryCodec.MAX_PAYLOAD_BYTES);

		assertThat(this.codec.decodeReading(payload).isValid()).isTrue();
	}

	@Test
	void acceptsAReadingSampledUpToADayAheadOfTheRelaysClock() {
		Map<String, String> fields = valid();
		fields.put("sampledAt", "\"2026-02-01T12:00:00Z\"");

		assertThat(this.codec.decodeReading(payload(fields)).isValid()).isTrue();
	}

	@ParameterizedTest
	@MethodSource
	void rejectsAPayloadThatIsNotAReadingWithAReadableReason(byte @Nullable [] payload, String reason,
			@Nullable String deviceId, @Nullable Long seq) {
		// when
		DecodedReading decoded = this.codec.decodeReading(payload);

		// then
		assertThat(decoded.isValid()).isFalse();
		assertThat(decoded.reading()).isNull();
		assertThat(decoded.reasons()).isNotEmpty();
		assertThat(decoded.reason()).contains(reason).doesNotContain("\n");
		assertThat(decoded.deviceId()).as("deviceId").isEqualTo(deviceId);
		assertThat(decoded.seq()).as("seq").isEqualTo(seq);
	}

	static Stream<Arguments> rejectsAPayloadThatIsNotAReadingWithAReadableReason() {
		return Stream.of(
				// what cannot be read at all names no device
				unknown("null payload", null, "empty payload"),
				unknown("empty payload", new byte[0], "empty payload"),
				unknown("payload one byte over the limit",
						padded(payload(valid()), TelemetryCodec.MAX_PAYLOAD_BYTES + 1),
						"exceeds the limit of " + TelemetryCodec.MAX_PAYLOAD_BYTES + " bytes"),
				unknown("a megabyte", new byte[1024 * 1024], "payload of 1048576 bytes exceeds the limit"),
				unknown("plain text", utf8("noise level 42"), "malformed JSON"),
				unknown("the demo's bare number", utf8("57.3"), "payload must be a JSON object"),
				unknown("a JSON string", utf8("\"dev-1 7 57.3\""), "payload must be a JSON object"),
				unknown("a JSON array", utf8("[" + new String(payload(valid()), StandardCharsets.UTF_8) + "]"),
						"payload must be a JSON object"),
				unknown("JSON null", utf8("null"), "payload must be a JSON object"),
				unknown("only whitespace", utf8(" \n\t "), "payload must be a JSON object"),
				unknown("truncated JSON", truncated(), "malformed JSON"),
				unknown("an unclosed string", utf8("{\"deviceId\":\"dev-1"), "malformed JSON"),
				unknown("single-quoted JSON", utf8("{'deviceId':'dev-1','seq':7}"), "malformed JSON"),
				unknown("a second object after the reading", utf8(new String(payload(valid()), StandardCharsets.UTF_8)
						+ new String(payload(valid()), StandardCharsets.UTF_8)), "malformed JSON"),
				unknown("rms NaN", replacing("rms", "NaN"), "NaN"),
				unknown("dbfs -Infinity", replacing("dbfs", "-Infinity"), "Infinity"),
				unknown("peak Infinity", replacing("peak", "Infinity"), "Infinity"),
				unknown("duplicate seq key", duplicated("seq", "8"), "seq"),
				unknown("duplicate deviceId key", duplicated("deviceId", "\"dev-2\""), "deviceId"),
				unknown("binary garbage", new byte[] { (byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 0x10 },
						"malformed JSON"),
				unknown("gzip-compressed bytes", new byte[] { 0x1F, (byte) 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 3 },
						"malformed JSON"),
				unknown("a UCS-4 byte order mark", new byte[] { 0, 0, (byte) 0xFF, (byte) 0xFE, 0, 0, 0, '{' },
						"malformed JSON"),
				unknown("NUL bytes", new byte[64], "malformed JSON"),
				unknown("seeded random bytes", randomBytes(), "malformed JSON"),
				unknown("invalid UTF-8 in a string", invalidUtf8(), "malformed JSON"),
				unknown("arrays nested a thousand deep", utf8("[".repeat(1000) + "]".repeat(1000)), "malformed JSON"),

				// fields missing or of the wrong type
				rejected("deviceId 42", replacing("deviceId", "42"), "deviceId must be a string", null, SEQ),
				rejected("deviceId an object", replacing("deviceId", "{\"id\":\"dev-1\"}"), "deviceId must be a string",
						null, SEQ),
				rejected("seq \"5\"", replacing("seq", "\"5\""),
						"seq must be an integer between 0 and " + ReadingValidator.MAX_SEQ, DEVICE, null),
				rejected("seq true", replacing("seq", "true"), "seq must be an integer", DEVICE, null),
				rejected("seq 1.5", replacing("seq", "1.5"), "seq must be an integer", DEVICE, null),
				rejected("seq 1e30", replacing("seq", "1e30"), "seq must be an integer", DEVICE, null),
				rejected("seq 2^64", replacing("seq", "18446744073709551616"), "seq must be an integer", DEVICE,
						null),
				rejected("sampledAt epoch millis", replacing("sampledAt", "1769860799500"),
						"sampledAt must be a string", DEVICE, SEQ),
				rejected("windowMs \"500\"", replacing("windowMs", "\"500\""),
						"windowMs must be an integer between 1 and " + ReadingValidator.MAX_WINDOW_MS, DEVICE, SEQ),
				rejected("windowMs 0.5", replacing("windowMs", "0.5"),
						"windowMs must be an integer between 1 and " + ReadingValidator.MAX_WINDOW_MS, DEVICE, SEQ),
				rejected("rms \"loud\"", replacing("rms", "\"loud\""), "rms must be a number", DEVICE, SEQ),
				rejected("dbfs an array", replacing("dbfs", "[-28.5]"), "dbfs must be a number", DEVICE, SEQ),
				rejected("peak a boolean", replacing("peak", "false"), "peak must be a number", DEVICE, SEQ),
				rejected("source 3", replacing("source", "3"), "source must be a string", DEVICE, SEQ),
				rejected("every field null", utf8("{\"deviceId\":null,\"seq\":null,\"sampledAt\":null,"
						+ "\"windowMs\":null,\"rms\":null,\"dbfs\":null,\"peak\":null,\"source\":null}"),
						"deviceId is missing", null, null),
				rejected("an empty object", utf8("{}"), "seq is missing", null, null),

				// values out of the contract's range
				rejected("seq -1", replacing("seq", "-1"), "seq must be between 0 and " + ReadingValidator.MAX_SEQ,
						DEVICE, null),
				rejected("seq 2^53", replacing("seq", "9007199254740992"), "seq must be between 0 and", DEVICE, null),
				rejected("seq Long.MAX_VALUE", replacing("seq", Long.toString(Long.MAX_VALUE)),
						"seq must be between 0 and", DEVICE, null),
				rejected("deviceId with /", replacing("deviceId", "\"dev/1\""), "deviceId must match", null, SEQ),
				rejected("deviceId with +", replacing("deviceId", "\"dev+1\""), "deviceId must match", null, SEQ),
				rejected("deviceId with #", replacing("deviceId", "\"dev#1\""), "deviceId must match", null, SEQ),
				rejected("deviceId with a space", replacing("deviceId", "\"dev 1\""), "deviceId must match", null,
						SEQ),
				rejected("deviceId with unicode", replacing("deviceId", "\"d\u00e9vice-\u00fc\""),
						"deviceId must match", null, SEQ),
				rejected("deviceId an emoji", replacing("deviceId", "\"\uD83D\uDD0A\""), "deviceId must match", null,
						SEQ),
				rejected("deviceId empty", replacing("deviceId", "\"\""), "deviceId must match", null, SEQ),
				rejected("deviceId of 65 characters", replacing("deviceId", quoted("d".repeat(65))),
						"deviceId must match", null, SEQ),
				rejected("deviceId of 1024 characters", replacing("deviceId", quoted("d".repeat(1024))),
						"deviceId must match", null, SEQ),
				rejected("windowMs 0", replacing("windowMs", "0"), "windowMs must be between 1 and", DEVICE, SEQ),
				rejected("windowMs negative", replacing("windowMs", "-500"), "windowMs must be between 1 and", DEVICE,
						SEQ),
				rejected("windowMs over an hour", replacing("windowMs", "3600001"), "windowMs must be between 1 and",
						DEVICE, SEQ),
				rejected("rms above full scale", replacing("rms", "32768.5"), "rms must be a finite number between",
						DEVICE, SEQ),
				rejected("rms negative", replacing("rms", "-0.1"), "rms must be a finite number between", DEVICE,
						SEQ),
				rejected("rms 1e400", replacing("rms", "1e400"), "rms must be a finite number", DEVICE, SEQ),
				rejected("peak above full scale", replacing("peak", "40000"), "peak must be a finite number between",
						DEVICE, SEQ),
				rejected("dbfs above 0", replacing("dbfs", "0.5"), "dbfs must be a finite number between", DEVICE,
						SEQ),
				rejected("dbfs below -120", replacing("dbfs", "-120.5"), "dbfs must be a finite number between",
						DEVICE, SEQ),
				rejected("sampledAt not ISO-8601", replacing("sampledAt", "\"31/01/2026 12:00\""),
						"sampledAt must be an ISO-8601 instant", DEVICE, SEQ),
				rejected("sampledAt a date only", replacing("sampledAt", "\"2026-01-31\""),
						"sampledAt must be an ISO-8601 instant", DEVICE, SEQ),
				rejected("sampledAt in 1970", replacing("sampledAt", "\"1970-01-01T00:00:00Z\""),
						"sampledAt must be between", DEVICE, SEQ),
				rejected("sampledAt a week in the future", replacing("sampledAt", "\"2026-02-07T12:00:00Z\""),
						"sampledAt must be between", DEVICE, SEQ),
				rejected("source with a space", replacing("source", "\"my mic\""), "source must match", DEVICE, SEQ),
				rejected("source empty", replacing("source", "\"\""), "source must match", DEVICE, SEQ));
	}

	@ParameterizedTest
	@ValueSource(strings = { "deviceId", "seq", "sampledAt", "windowMs", "rms", "dbfs", "peak", "source" })
	void rejectsAReadingWithAMissingFieldNamingTheField(String field) {
		// given
		Map<String, String> fields = valid();
		fields.remove(field);

		// when
		DecodedReading decoded = this.codec.decodeReading(payload(fields));

		// then
		assertThat(decoded.isValid()).isFalse();
		assertThat(decoded.reasons()).containsExactly(field + " is missing");
		assertThat(decoded.deviceId()).isEqualTo(field.equals("deviceId") ? null : DEVICE);
		assertThat(decoded.seq()).isEqualTo(field.equals("seq") ? null : SEQ);
	}

	@Test
	void reportsEveryWrongFieldOfAPayloadInOneLine() {
		// given
		Map<String, String> fields = valid();
		fields.put("seq", "\"5\"");
		fields.put("rms", "\"loud\"");
		fields.remove("source");

		// when
		DecodedReading decoded = this.codec.decodeReading(payload(fields));

		// then
		assertThat(decoded.reasons()).containsExactlyInAnyOrder("source is missing",
				"seq must be an integer between 0 and " + ReadingValidator.MAX_SEQ, "rms must be a number");
		assertThat(decoded.reason()).contains("; ");
	}

	private static Arguments unknown(String name, byte @Nullable [] payload, String reason) {
		return argumentSet(name, payload, reason, null, null);
	}

	private static Arguments rejected(String name, byte[] payload, String reason, @Nullable String deviceId,
			@Nullable Long seq) {
		return argumentSet(name, payload, reason, deviceId, seq);
	}

	/** A valid reading as field name to JSON literal, in the order a publisher writes it. */
	private static Map<String, String> valid() {
		Map<String, String> fields = new LinkedHashMap<>();
		fields.put("deviceId", quoted(DEVICE));
		fields.put("seq", Long.toString(SEQ));
		fields.put("sampledAt", "\"2026-01-31T11:59:59.500Z\"");
		fields.put("windowMs", "500");
		fields.put("rms", "1234.5");
		fields.put("dbfs", "-28.5");
		fields.put("peak", "20000.0");
		fields.put("source", "\"synthetic\"");
		return fields;
	}

	private static byte[] payload(Map<String, String> fields) {
		return utf8(fields.entrySet()
			.stream()
			.map((field) -> quoted(field.getKey()) + ":" + field.getValue())
			.collect(Collectors.joining(",", "{", "}")));
	}

	private static byte[] replacing(String field, String literal) {
		Map<String, String> fields = valid();
		fields.put(field, literal);
		return payload(fields);
	}

	private static byte[] duplicated(String field, String secondLiteral) {
		String json = new String(payload(valid()), StandardCharsets.UTF_8);
		return utf8(json.substring(0, json.length() - 1) + "," + quoted(field) + ":" + secondLiteral + "}");
	}

	private static byte[] truncated() {
		byte[] whole = payload(valid());
		return Arrays.copyOf(whole, whole.length / 2);
	}

	private static byte[] padded(byte[] json, int length) {
		byte[] padded = new byte[length];
		Arrays.fill(padded, (byte) ' ');
		System.arraycopy(json, 0, padded, 0, json.length);
		return padded;
	}

	private static byte[] invalidUtf8() {
		byte[] json = replacing("deviceId", "\"dev-\u00e9\"");
		for (int i = 0; i < json.length; i++) {
			if (json[i] == (byte) 0xC3) {
				json[i + 1] = (byte) 0x28; // a lead byte followed by no continuation byte
			}
		}
		return json;
	}

	private static byte[] randomBytes() {
		byte[] bytes = new byte[512];
		new Random(20260131).nextBytes(bytes);
		bytes[0] = (byte) 0x80; // never a JSON start, whatever the seed gives
		return bytes;
	}

	private static String quoted(String text) {
		return "\"" + text + "\"";
	}

	private static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
